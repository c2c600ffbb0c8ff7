/**
 * A keystroke frame on `term.v1.in.<session>`: the owner socket that typed it (`writer`, random and
 * never 0) and its number from that socket (1, 2, 3 …), then the bytes as the browser sent them.
 * Numbered so that input survives an agent's reconnect: terminal-svc sends its recent frames again
 * when the agent is back, and the agent types each (writer, seq) once, in order.
 */
export interface InputFrame { writer: number; seq: number; data: Buffer }

const HEADER_BYTES = 8;

export function packInputFrame(writer: number, seq: number, data: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + data.length);
  frame.writeUInt32BE(writer, 0);
  frame.writeUInt32BE(seq, 4);
  frame.set(data, HEADER_BYTES);
  return frame;
}

/** null for anything too short to hold the header or numbered 0 (not a frame of this format). */
export function unpackInputFrame(frame: Uint8Array): InputFrame | null {
  if (frame.length < HEADER_BYTES) return null;
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.length);
  const writer = buf.readUInt32BE(0);
  const seq = buf.readUInt32BE(4);
  if (writer === 0 || seq === 0) return null;
  return { writer, seq, data: buf.subarray(HEADER_BYTES) };
}
