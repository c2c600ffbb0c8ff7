import type { InputChunk } from '@webxterm/contracts';

/**
 * How long frames after a missing one wait for it before they are typed without it. A frame goes
 * missing when the agent's stream breaks; terminal-svc sends its recent frames again as soon as the
 * agent is back (milliseconds after the new stream's first frames), so a second is plenty.
 */
export const INPUT_GAP_WAIT_MS = 1000;
/** Owner sockets remembered per session (a session has one owner, who may have a few tabs open). */
const WRITERS_KEPT = 8;
/** Frames held behind a gap at most; the next one releases them. */
const HELD_MAX = 256;

interface Writer { last: number; held: Map<number, Buffer>; timer: NodeJS.Timeout | null }

/**
 * Types each numbered keystroke frame of a session once and in its writer's order: a frame at or
 * below the writer's last is a repeat (sent again after a reconnect) and dropped; a frame after a
 * missing one waits for it, at most INPUT_GAP_WAIT_MS. Unnumbered frames (an older bridge) are typed as they come.
 */
export class InputOrder {
  private readonly writers = new Map<number, Writer>();

  constructor(private readonly type: (data: Buffer) => void) {}

  receive(c: Pick<InputChunk, 'data' | 'writer' | 'seq'>): void {
    if (!c.writer || !c.seq) return this.type(c.data);
    const w = this.writer(c.writer);
    if (c.seq <= w.last || w.held.has(c.seq)) return;
    if (c.seq === w.last + 1) {
      this.type(c.data);
      w.last = c.seq;
      this.typeHeld(w);
      return;
    }
    if (w.held.size >= HELD_MAX) this.release(w);
    w.held.set(c.seq, c.data);
    w.timer ??= setTimeout(() => this.release(w), INPUT_GAP_WAIT_MS);
  }

  /** The session ended: nothing held is typed any more. */
  stop(): void {
    for (const w of this.writers.values()) if (w.timer) clearTimeout(w.timer);
    this.writers.clear();
  }

  /** The writer's state, as the most recently heard (a new writer starts before its seq 1). */
  private writer(id: number): Writer {
    let w = this.writers.get(id);
    if (w) this.writers.delete(id);
    else {
      w = { last: 0, held: new Map(), timer: null };
      if (this.writers.size >= WRITERS_KEPT) this.forget(this.writers.keys().next().value!);
    }
    this.writers.set(id, w);
    return w;
  }

  private forget(id: number): void {
    const w = this.writers.get(id);
    if (w) this.release(w);
    this.writers.delete(id);
  }

  /** Types what follows `last` without a gap. */
  private typeHeld(w: Writer): void {
    for (let next = w.held.get(w.last + 1); next; next = w.held.get(w.last + 1)) {
      w.held.delete(w.last + 1);
      this.type(next);
      w.last += 1;
    }
    if (w.held.size === 0 && w.timer) { clearTimeout(w.timer); w.timer = null; }
  }

  /** The missing frames did not come: type what is held, in order, and move past the gap. */
  private release(w: Writer): void {
    if (w.timer) { clearTimeout(w.timer); w.timer = null; }
    for (const seq of [...w.held.keys()].sort((a, b) => a - b)) {
      this.type(w.held.get(seq)!);
      w.last = seq;
    }
    w.held.clear();
  }
}
