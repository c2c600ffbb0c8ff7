/**
 * How the agent cuts PTY output into chunks, on a scripted PTY and a fake clock: interactive output
 * leaves at once, floods leave in large chunks. (The real PTY is in pty-session.test.ts.)
 */
import type { AgentMessage } from '@webxterm/contracts';
import { PtySession } from '../src/pty-session';
import { scriptedPty } from './scripted-pty';

describe('PtySession output chunks', () => {
  beforeEach(() => { jest.useFakeTimers({ now: 1_000_000 }); });
  // Pending end-of-turn work runs before the clock goes back to real (the queue is the module's).
  afterEach(() => { jest.runOnlyPendingTimers(); jest.useRealTimers(); });

  function session() {
    const p = scriptedPty();
    const chunks: Buffer[] = [];
    new PtySession('s', p.pty, 1 << 30, (m: AgentMessage) => { if (m.output) chunks.push(Buffer.from(m.output.data)); }, () => {});
    return { ...p, chunks };
  }

  it('a lone keystroke\'s echo leaves on the next turn of the event loop, with no timer in between', () => {
    const { print, chunks } = session();
    print('x');
    expect(chunks).toHaveLength(0);
    jest.advanceTimersByTime(0); // immediates only: no clock time passes
    expect(chunks.map(String)).toEqual(['x']);
  });

  it('keys typed back to back each leave at once, however close together', () => {
    const { print, chunks } = session();
    for (const k of 'hello') {
      print(k);
      jest.advanceTimersByTime(0);
      jest.setSystemTime(Date.now() + 1); // 1 ms between keys: well inside the burst window
    }
    expect(chunks.map(String)).toEqual(['h', 'e', 'l', 'l', 'o']);
  });

  it('a flood of small reads leaves in large chunks (64 KiB), and the echo after it leaves at once again', () => {
    const { print, chunks } = session();
    const read = Buffer.alloc(4096, 'a');
    print(read);
    jest.advanceTimersByTime(0);
    for (let i = 0; i < 64; i++) { // 256 KiB arriving in 4 KiB reads, 0.1 ms apart
      print(read);
      jest.advanceTimersByTime(0.1);
    }
    jest.advanceTimersByTime(5);
    const sizes = chunks.map((c) => c.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(65 * 4096);
    expect(sizes).toEqual([4096, 65536, 65536, 65536, 65536]);
    jest.setSystemTime(Date.now() + 50); // the flood is over
    print('y');
    jest.advanceTimersByTime(0);
    expect(String(chunks[chunks.length - 1])).toBe('y');
  });
});
