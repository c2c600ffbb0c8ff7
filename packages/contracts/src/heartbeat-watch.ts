/**
 * Tells when the other end of an agent stream has gone quiet, for both ends (the agent and the
 * bridge). It counts this process's own ticks, not wall-clock time: the other end is declared gone
 * after `silentTicks` ticks in a row without a message from it. A stall of this process's event
 * loop (a busy machine, a burst of PTYs to fork) delays the ticks too, so it is never blamed on the
 * other end; and each verdict waits for the event loop's poll phase (setImmediate), so messages
 * already waiting in the socket count before a silence is judged.
 */
/** Ticks in a row without a message after which either end of an agent stream gives up on the other. */
export const SILENT_TICKS = 3;

export class HeartbeatWatch {
  private heardSinceTick = true;
  private silent = 0;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(everyMs: number, silentTicks: number, o: { onTick(): void; onSilent(): void }) {
    this.timer = setInterval(() => setImmediate(() => {
      if (this.stopped) return;
      this.silent = this.heardSinceTick ? 0 : this.silent + 1;
      this.heardSinceTick = false;
      if (this.silent >= silentTicks) { this.stop(); o.onSilent(); } else o.onTick();
    }), everyMs);
  }

  /** A message arrived from the other end. */
  heard(): void { this.heardSinceTick = true; }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}
