/** Terminal bytes are bytes: what the program writes arrives unchanged, and input reaches it unchanged. */
import { createHash } from 'node:crypto';
import * as pty from 'node-pty';
import type { AgentMessage } from '@webxterm/contracts';
import { waitUntil } from '@webxterm/testkit';
import { PtySession } from '../src/pty-session';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function session(cmd: string, sent: AgentMessage[]) {
  const p = pty.spawn('/bin/bash', ['-c', cmd], { cols: 80, rows: 24, env: { PATH: '/usr/bin:/bin', TERM: 'xterm', LANG: 'C.UTF-8' }, encoding: null });
  return new PtySession(`s${Math.random()}`, p, 8 << 20, (m) => sent.push(m), () => {});
}
const output = (sent: AgentMessage[]) => Buffer.concat(sent.filter((m) => m.output).map((m) => m.output!.data));

describe('PTY bytes', () => {
  it('every byte value 0-255 in output arrives exactly (raw mode, no translation)', async () => {
    const sent: AgentMessage[] = [];
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    // stty raw -opost: the line discipline must not rewrite \n into \r\n.
    const octal = [...all].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
    // The shell stays until the test closes it: node-pty drops output still unread 200 ms after an exit.
    const s = session(`stty raw -echo -opost; printf 'BEGIN${octal}END'; sleep 60`, sent);
    await waitUntil(() => output(sent).includes('END'), 10_000, 'END');
    s.close();
    const out = output(sent);
    const start = out.indexOf('BEGIN') + 5;
    const end = out.lastIndexOf('END');
    expect(sha(out.subarray(start, end))).toBe(sha(all));
  });

  it('multi-byte and 4-byte characters and line-drawing glyphs arrive as written, also across chunk boundaries', async () => {
    const sent: AgentMessage[] = [];
    const unit = 'é€ ─│┌┐ 😀👍🏽 漢字 ';
    const text = unit.repeat(4000); // ~150 KB: several chunks, cut wherever the reads fall, mid-character too
    // Written by printf from octal escapes: the command line stays ASCII, so only the PTY's output path is tested.
    const octal = [...Buffer.from(unit)].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
    const s = session(`stty -opost; for i in $(seq 4000); do printf '${octal}'; done; sleep 60`, sent);
    await waitUntil(() => output(sent).toString('utf8').includes(text), 20_000, 'the whole text');
    s.close();
    expect(sent.filter((m) => m.output).length).toBeGreaterThan(1);
  });

  it('100 KB of pasted input reaches the program byte for byte', async () => {
    const sent: AgentMessage[] = [];
    const paste = Buffer.from('ab€😀\n'.repeat(10_000)).subarray(0, 100_000);
    const s = session('stty -echo -icanon; head -c 100000 | sha256sum', sent);
    for (let i = 0; i < paste.length; i += 4096) s.write(paste.subarray(i, i + 4096));
    await waitUntil(() => output(sent).toString().includes(sha(paste)), 20_000, 'the checksum of the paste');
  });

  it('a 1 MB paste into a program that is not reading yet arrives whole and in order (the PTY takes it as it drains)', async () => {
    const sent: AgentMessage[] = [];
    const paste = Buffer.from(Array.from({ length: 100_000 }, (_, i) => `${i} ─ é\n`).join('')).subarray(0, 1_000_000);
    const s = session('stty raw -echo; echo READY; sleep 0.3; head -c 1000000 | sha256sum', sent);
    await waitUntil(() => output(sent).includes('READY'), 10_000, 'the program in raw mode');
    s.write(paste.subarray(0, 900_000));
    for (let i = 900_000; i < paste.length; i += 10_000) s.write(paste.subarray(i, i + 10_000));
    await waitUntil(() => output(sent).toString().includes(sha(paste)), 20_000, 'the checksum of the paste');
  });
});
