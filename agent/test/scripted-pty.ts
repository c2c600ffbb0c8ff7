import type { IPty } from 'node-pty';

/** A PTY whose output the test writes (`print`); input, resizes and signals go nowhere. */
export function scriptedPty() {
  let emit: (d: Buffer) => void = () => undefined;
  const fake = {
    pid: 1,
    onData: (f: (d: Buffer) => void) => { emit = f; return { dispose() {} }; },
    onExit: () => ({ dispose() {} }),
    write() {}, resize() {}, kill() {}, pause() {}, resume() {},
  };
  return { pty: fake as unknown as IPty, print: (s: string | Buffer) => emit(Buffer.from(s)) };
}
