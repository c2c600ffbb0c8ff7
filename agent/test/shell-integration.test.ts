/**
 * The commands of a session, from a real bash with the shell integration: what the person ran, with
 * its exit code and where in the output it began — and nothing else (no Ctrl-C'd line, no password
 * typed with echo off, no command inside a nested shell, no mark forged by a program).
 */
import type { AgentMessage, CommandRecord } from '@webxterm/contracts';
import { waitUntil } from '@webxterm/testkit';
import { CommandMarks } from '../src/command-marks';
import { lookupLinuxUser } from '../src/linux-user';
import { SessionTable } from '../src/sessions';

jest.setTimeout(60_000);
const sent: AgentMessage[] = [];
const table = new SessionTable(lookupLinuxUser(require('node:os').userInfo().username), true);
const commands = () => sent.filter((m) => m.command).map((m) => m.command as CommandRecord);
const output = () => Buffer.concat(sent.filter((m) => m.output).map((m) => m.output!.data)).toString('utf8');

afterAll(() => table.closeAll());

async function run(line: string, expectRecords: number): Promise<void> {
  table.get('s1')!.write(Buffer.from(line));
  await waitUntil(() => commands().length >= expectRecords, 15_000, `${JSON.stringify(line)} recorded; output tail ${JSON.stringify(output().slice(-300))}`);
}

describe('bash shell integration', () => {
  it('lists each command with its text, exit code, working directory and start seq', async () => {
    table.attach((m) => sent.push(m));
    table.open({ session_id: 's1', cols: 120, rows: 30, window_bytes: 8 << 20 });
    await run('cd /tmp && echo hel""lo\r', 1);
    await run('false\r', 2);
    await run('for i in 1 2; do\recho n$i\rdone\r', 3);
    // Ctrl-C at a prompt: nothing ran.
    const before = output().length;
    table.get('s1')!.write(Buffer.from('sleep 100\x03'));
    await waitUntil(() => /\^C[^]*\x1b\[\?2004h/.test(output().slice(before)), 15_000, 'a new prompt after Ctrl-C');
    table.get('s1')!.write(Buffer.from('less /etc/hostname\r'));
    table.get('s1')!.write(Buffer.from('q'));
    await waitUntil(() => commands().length >= 4, 15_000, 'less recorded after q');
    table.get('s1')!.write(Buffer.from('bash --norc --noprofile\r'));
    await waitUntil(() => output().includes('bash-'), 15_000, `the nested shell prompt; tail ${JSON.stringify(output().slice(-400))} ${JSON.stringify(commands().map((c) => c.command))}`);
    table.get('s1')!.write(Buffer.from('echo inside-nested; exit 7\r'));
    await waitUntil(() => commands().length >= 5, 15_000, 'the nested shell recorded as one command');
    table.get('s1')!.write(Buffer.from("read -s -p 'password: ' PW; echo got-${#PW}\r"));
    await waitUntil(() => output().includes('password: '), 15_000, 'the password prompt');
    table.get('s1')!.write(Buffer.from('hunter2-secret\r'));
    await waitUntil(() => commands().length >= 6, 15_000, 'read -s recorded');
    await run("printf '\\033]633;E;rm -rf /;0000\\a\\033]633;C;0000\\a\\033]633;D;0;0000\\a'; echo forged\r", 7);

    const c = commands();
    expect(c.map((x) => [x.command, x.exit_code])).toEqual([
      ['cd /tmp && echo hel""lo', 0],
      ['false', 1],
      [expect.stringMatching(/^for i in 1 2; ?do\s*echo n\$i;? ?done$/), 0],
      ['less /etc/hostname', 0],
      ['bash --norc --noprofile', 7],
      ["read -s -p 'password: ' PW; echo got-${#PW}", 0],
      [expect.stringContaining("printf '\\033]633;E;rm -rf /"), 0],
    ]);
    expect(c[1].cwd).toBe('/tmp');
    expect(JSON.stringify(c)).not.toContain('hunter2-secret');
    expect(JSON.stringify(c)).not.toContain('inside-nested; exit');
    expect(output()).toContain('got-14');
    // Start seqs point into the output and never go back; times are ordered.
    const seqs = c.map((x) => x.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const x of c) expect(x.ended_at_ms).toBeGreaterThanOrEqual(x.started_at_ms);
  });
});

describe('zsh shell integration', () => {
  const zsent: AgentMessage[] = [];
  const me = lookupLinuxUser(require('node:os').userInfo().username);
  const ztable = new SessionTable({ ...me, shell: '/usr/bin/zsh' }, true);
  const zcommands = () => zsent.filter((m) => m.command).map((m) => m.command as CommandRecord);
  const zout = () => Buffer.concat(zsent.filter((m) => m.output).map((m) => m.output!.data)).toString('utf8');
  const type = (s: string) => ztable.get('z1')!.write(Buffer.from(s));
  const recorded = (n: number, what: string) => waitUntil(() => zcommands().length >= n, 15_000, `${what}; tail ${JSON.stringify(zout().slice(-300))}`);
  afterAll(() => ztable.closeAll());

  it('lists commands with exit codes; a nested shell is one command; no password, no forged mark', async () => {
    ztable.attach((m) => zsent.push(m));
    ztable.open({ session_id: 'z1', cols: 120, rows: 30, window_bytes: 8 << 20 });
    type('cd /tmp; echo z-$((1+1))\r');
    await recorded(1, 'first');
    type('false\r');
    await recorded(2, 'false');
    type('zsh -f\r');
    // Typed ahead: the outer shell is busy running the nested one, which reads it.
    type('echo nested-inside; exit 5\r');
    await recorded(3, 'nested');
    type("read -s 'PW?password: '; echo got-${#PW}\r");
    await waitUntil(() => zout().includes('password: '), 15_000, 'the password prompt');
    type('zsh-secret-99\r');
    await recorded(4, 'read -s');
    type("printf '\\033]633;E;evil;0000\\a\\033]633;D;0;0000\\a'; echo forged\r");
    await recorded(5, 'forged');
    const c = zcommands();
    expect(c.map((x) => [x.command, x.exit_code])).toEqual([
      ['cd /tmp; echo z-$((1+1))', 0], ['false', 1], ['zsh -f', 5], ["read -s 'PW?password: '; echo got-${#PW}", 0],
      [expect.stringContaining('printf'), 0],
    ]);
    expect(c[1].cwd).toBe('/tmp');
    expect(JSON.stringify(c)).not.toContain('zsh-secret-99');
    expect(zout()).toContain('got-13');
  });
});

describe('marks', () => {
  it('a mark split across chunks is read; one with another nonce is ignored', () => {
    const m = new CommandMarks('n1');
    const stream = Buffer.from('\x1b]633;E;ls -l;n1\x07\x1b]633;C;n1\x07out\x1b]633;E;evil;bad\x07\x1b]633;D;2;n1\x07');
    const found = [];
    for (let i = 0; i < stream.length; i += 5) found.push(...m.feed(stream.subarray(i, i + 5), i + 1, 1000 + i));
    expect(found).toEqual([{ command: 'ls -l', cwd: '', exitCode: 2, seq: 26, startedAt: 1025, endedAt: expect.any(Number) }]);
  });
});
