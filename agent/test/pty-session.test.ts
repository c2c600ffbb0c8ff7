import * as pty from 'node-pty';
import type { AgentMessage } from '@webxterm/contracts';
import { bytesWrittenBy, waitUntil } from '@webxterm/testkit';
import { PtySession } from '../src/pty-session';

function spawn(cmd: string) {
  return pty.spawn('/bin/bash', ['-c', cmd], { cols: 80, rows: 24, env: { PATH: '/usr/bin:/bin', TERM: 'xterm' }, encoding: null });
}

describe('PtySession: sequence numbers, window and replay', () => {
  it('numbers chunks 1, 2, 3 … and ends with the exit code and the last seq', async () => {
    const sent: AgentMessage[] = [];
    const s = new PtySession('s1', spawn('for i in 1 2 3; do echo line$i; sleep 0.02; done; exit 7'), 1 << 20, (m) => sent.push(m), () => {});
    await waitUntil(() => sent.some((m) => m.exited), 10_000, 'the exit');
    const seqs = sent.filter((m) => m.output).map((m) => m.output!.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const exit = sent.find((m) => m.exited)!.exited!;
    expect(exit).toMatchObject({ exit_code: 7, last_seq: seqs.length });
    expect(Buffer.concat(sent.filter((m) => m.output).map((m) => m.output!.data)).toString()).toBe('line1\r\nline2\r\nline3\r\n');
    s.close();
  });

  it('a consumer that never acknowledges pauses the PTY at the window: memory stays bounded', async () => {
    const window = 64 * 1024;
    let bytes = 0;
    const s = new PtySession('s2', spawn('cat /dev/urandom | base64'), window, (m) => { bytes += m.output?.data.length ?? 0; }, () => {});
    await waitUntil(() => s.isPaused, 3000, 'the PTY paused');
    // Nothing reads the PTY any more: base64 blocks on it once its buffer is full, so from one look
    // to the next (200 ms apart) base64 has written nothing and the session has read nothing.
    let last = { written: -1, read: -1 };
    await waitUntil(() => {
      const now = { written: bytesWrittenBy(s.pid, 'base64'), read: bytes };
      const held = now.written === last.written && now.read === last.read;
      last = now;
      return held;
    }, 10_000, () => `base64 held while paused (written ${last.written}, read ${last.read})`, 200);
    const first = bytes;
    expect(s.isPaused).toBe(true);
    expect(s.keptByteCount).toBeLessThanOrEqual(window + 2 * 64 * 1024); // the window plus at most two chunks already read
    // Credits re-open the window and output flows again.
    s.credit(1_000_000);
    await waitUntil(() => bytes > first, 5000, 'output after the credit');
    s.close();
  });

  it('replay() re-sends exactly the unacknowledged chunks after a reconnect', async () => {
    const sent: AgentMessage[] = [];
    const s = new PtySession('s3', spawn('seq 1 2000; sleep 5'), 1 << 20, (m) => sent.push(m), () => {});
    const text = () => Buffer.concat(sent.filter((m) => m.output).map((m) => m.output!.data)).toString();
    await waitUntil(() => text().endsWith('\r\n2000\r\n'), 10_000, 'all of seq\'s output');
    const chunks = sent.filter((m) => m.output).map((m) => m.output!);
    expect(chunks.length).toBeGreaterThan(0);
    s.credit(chunks[0].seq);
    const again: AgentMessage[] = [];
    s.replay((m) => again.push(m));
    expect(again.map((m) => m.output!.seq)).toEqual(chunks.slice(1).map((c) => c.seq));
    // Live chunks were held for nothing; those sent again say how long they were kept, so the
    // bridge records them at the time they were read, not at the time they came back.
    expect(chunks.every((c) => !c.held_ms)).toBe(true);
    const sentAt = Date.now();
    await waitUntil(() => Date.now() - sentAt >= 50, 1000, '50 ms later');
    const later: AgentMessage[] = [];
    s.replay((m) => later.push(m));
    expect(Math.min(...later.filter((m) => m.output).map((m) => m.output!.held_ms!))).toBeGreaterThanOrEqual(50);
    expect(s.live()).toMatchObject({ session_id: 's3', acked_seq: chunks[0].seq, next_seq: chunks.length + 1 });
    s.close();
  });
});
