/**
 * Owner sockets whose keystrokes have had no output since: one ticker for the whole process (not a
 * timer per keystroke) calls `onStall` of each that has waited STALL_MS, once per wait. The relay
 * then asks whether the session's agent is connected at all: a bridge that died takes seconds to be
 * replaced, and the terminal would look frozen without a word.
 */
export const STALL_MS = 1000;

export class StallWatch {
  private readonly waiting = new Map<() => void, number>();
  private ticker: NodeJS.Timeout | null = null;

  constructor(private readonly stallMs = STALL_MS, private readonly now: () => number = Date.now) {}

  /** A key went out: from now on, `onStall` is due unless output comes first. */
  typed(onStall: () => void): void {
    if (this.waiting.has(onStall)) return;
    this.waiting.set(onStall, this.now());
    this.ticker ??= setInterval(() => this.tick(), this.stallMs / 4);
  }

  /** Output came (or the socket closed): nothing is due. */
  answered(onStall: () => void): void {
    this.waiting.delete(onStall);
  }

  tick(): void {
    const due = this.now() - this.stallMs;
    for (const [onStall, since] of this.waiting) {
      if (since > due) continue;
      this.waiting.delete(onStall);
      onStall();
    }
    if (this.waiting.size === 0 && this.ticker) { clearInterval(this.ticker); this.ticker = null; }
  }
}
