import type { StringDecoder } from 'node:string_decoder';
import type { SessionRecord } from '@webxterm/contracts';

/** asciicast v2: a JSON header line, then `[seconds, "o", text]` per output chunk, `"r"` per resize, `"m"` per marker. */
export function asciicastHeader(s: SessionRecord): string {
  return JSON.stringify({
    version: 2, width: s.cols, height: s.rows, timestamp: Math.floor(Date.parse(s.started_at) / 1000),
    title: `${s.username}@${s.agent_id} (${s.linux_user ?? 'unknown'})`, env: { TERM: 'xterm-256color' },
  });
}

/**
 * An output event. The cast is text, so the bytes are decoded here and only here — with one decoder
 * per recording, so a character split across two chunks is not broken.
 */
export function asciicastEvent(startedAtMs: number, atMs: number, data: Uint8Array, decoder: StringDecoder): string {
  return JSON.stringify([Math.max(0, (atMs - startedAtMs) / 1000), 'o', decoder.write(Buffer.from(data))]);
}

/** A marker (`"m"`): players jump from one to the next; ours name the command that started there. */
export function asciicastMarker(seconds: number, label: string): string {
  return JSON.stringify([Math.max(0, seconds), 'm', label]);
}

/** A terminal's size from `at` (ms since the epoch) on. */
export interface TerminalSize { at: number; cols: number; rows: number }

/** A resize (`"r"`, `COLSxROWS`): the player draws what follows at that size. */
export function asciicastResize(startedAtMs: number, r: TerminalSize): string {
  return JSON.stringify([Math.max(0, (r.at - startedAtMs) / 1000), 'r', `${r.cols}x${r.rows}`]);
}
