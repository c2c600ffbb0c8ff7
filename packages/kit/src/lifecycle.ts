import type { Logger } from 'pino';

interface Step { name: string; run: () => Promise<unknown> | unknown; timeoutMs: number }

/**
 * Ordered shutdown. Steps run in the order they were added (stop accepting first, close stores
 * last), each bounded by its own timeout so one stuck dependency cannot hold the process.
 */
export class Lifecycle {
  private steps: Step[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly log: Logger) {}

  onShutdown(name: string, run: Step['run'], timeoutMs = 5000): void {
    this.steps.push({ name, run, timeoutMs });
  }

  shutdown(reason: string): Promise<void> {
    if (!this.stopping) this.stopping = this.runSteps(reason);
    return this.stopping;
  }

  /** SIGTERM and SIGINT shut down in order and then exit. */
  handleSignals(): void {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => {
        void this.shutdown(sig).then(() => process.exit(0));
      });
    }
  }

  private async runSteps(reason: string): Promise<void> {
    this.log.info({ reason }, 'shutting down');
    for (const step of this.steps) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => { this.log.warn({ step: step.name }, 'shutdown step timed out'); resolve(); }, step.timeoutMs);
      });
      try {
        await Promise.race([Promise.resolve().then(step.run), timeout]);
      } catch (e) {
        this.log.warn({ step: step.name, err: (e as Error).message }, 'shutdown step failed');
      } finally {
        clearTimeout(timer);
      }
    }
  }
}

/**
 * A service's `if (require.main === module)` boot: start it; SIGTERM or SIGINT close it in order
 * and exit 0; a failed start prints its reason (every bad variable, for config) and exits 1.
 */
export function runAsProcess(name: string, start: () => Promise<{ close(): Promise<void> }>): void {
  start()
    .then((svc) => {
      for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void svc.close().then(() => process.exit(0)));
    })
    .catch((e) => {
      console.error(`${name}: ${e instanceof Error ? e.message : e}`);
      process.exit(1);
    });
}
