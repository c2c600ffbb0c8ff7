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

  function session(windowBytes = 1 << 30) {
    const p = scriptedPty();
    const chunks: Buffer[] = [];
    new PtySession('s', p.pty, windowBytes, (m: AgentMessage) => { if (m.output) chunks.push(Buffer.from(m.output.data)); }, () => {});
    return { ...p, chunks };
  }

  /** The first read, then `reads` more of 4 KiB, 0.1 ms apart (a flood), then the coalescing timer runs out. */
  function flood(print: (d: Buffer | string) => void, reads: number): void {
    const read = Buffer.alloc(4096, 'a');
    print(read);
    jest.advanceTimersByTime(0);
    for (let i = 0; i < reads; i++) {
      print(read);
      jest.advanceTimersByTime(0.1);
    }
    jest.advanceTimersByTime(10);
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

  it('a flood of small reads leaves in large chunks (256 KiB), and the echo after it leaves at once again', () => {
    const { print, chunks } = session();
    flood(print, 160); // 640 KiB in 4 KiB reads
    const sizes = chunks.map((c) => c.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(161 * 4096);
    expect(sizes).toEqual([4096, 262144, 262144, 131072]);
    jest.setSystemTime(Date.now() + 50); // the flood is over
    print('y');
    jest.advanceTimersByTime(0);
    expect(String(chunks[chunks.length - 1])).toBe('y');
  });

  it('a chunk is at most a quarter of the session\'s window, so a small window still has several chunks in flight', () => {
    const { print, chunks } = session(128 * 1024);
    flood(print, 64);
    expect(chunks.map((c) => c.length)).toEqual([4096, 32768, 32768, 32768, 32768, 32768, 32768, 32768, 32768]);
  });
});
