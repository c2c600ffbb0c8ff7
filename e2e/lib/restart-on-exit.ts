import { ServiceProcess, startServiceProcess } from '@webxterm/testkit';

/** One restart: when the process went away, how, and when its replacement answered /healthz. */
export interface Restart { name: string; exitedAt: number; healthyAt: number; how: string; lastOutput: string }

/** Where a service lives in the test's stack: read the current process, put its replacement. */
export interface Slot { get(): ServiceProcess; set(replacement: ServiceProcess): void }

/**
 * The platform's restart policy for a test's services: whenever one exits, however it exited, it is
 * started again at once with the same environment and port (what `npm start`'s supervisor does
 * after its 1 s first backoff, and Kubernetes for a crashed container).
 */
export class RestartOnExit {
  readonly restarts: Restart[] = [];
  private stopped = false;

  watch(slot: Slot): void {
    const svc = slot.get();
    svc.child.once('exit', (code, signal) => void this.restart(svc, slot, signal ? `killed by ${signal}` : `exit code ${code}`));
  }

  /** No more restarts (the test is stopping its services). */
  stop(): void { this.stopped = true; }

  private async restart(dead: ServiceProcess, slot: Slot, how: string): Promise<void> {
    const exitedAt = Date.now();
    while (!this.stopped) {
      try {
        const again = await startServiceProcess(dead.name, dead.env, 60_000);
        if (this.stopped) { await again.stop(); return; }
        slot.set(again);
        this.restarts.push({ name: dead.name, exitedAt, healthyAt: Date.now(), how, lastOutput: dead.output().slice(-2000) });
        this.watch(slot);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 1000)); // did not come up (e.g. its port not free yet): try again
      }
    }
  }
}
