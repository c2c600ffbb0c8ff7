import { Counter, Gauge, Histogram, type ServiceMetrics } from '@webxterm/kit';

/** Longest round trip a browser may report (ms); anything else is not a measurement. */
const MAX_RTT_MS = 60_000;

/**
 * What this replica relays, for Prometheus. The relay adds to plain numbers (no allocation on the
 * output path); the registry reads them when it is scraped.
 */
export class RelayMeter {
  outputBytes = 0;
  inputBytes = 0;
  private readonly open = { owner: 0, viewer: 0 };
  private readonly rtt: Histogram;

  constructor(metrics: ServiceMetrics) {
    const meter = this;
    const registers = [metrics.registry];
    new Gauge({
      name: 'terminal_sockets_open', help: 'Browser terminal sockets open on this replica: the owner of a session, or a read-only viewer',
      labelNames: ['mode'], registers,
      collect() { this.set({ mode: 'owner' }, meter.open.owner); this.set({ mode: 'viewer' }, meter.open.viewer); },
    });
    new Counter({
      name: 'terminal_output_bytes_total', help: 'Terminal output bytes relayed to browsers', registers,
      collect() { this.reset(); this.inc(meter.outputBytes); },
    });
    new Counter({
      name: 'terminal_input_bytes_total', help: 'Keystroke bytes relayed from browsers to agents', registers,
      collect() { this.reset(); this.inc(meter.inputBytes); },
    });
    this.rtt = new Histogram({
      name: 'terminal_ping_rtt_seconds',
      help: "Round trip of the terminal protocol's ping (browser → gateway → terminal-svc → browser), as the browser measured it",
      registers, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
  }

  socketOpened(view: boolean): void { this.open[view ? 'viewer' : 'owner']++; }
  socketClosed(view: boolean): void { this.open[view ? 'viewer' : 'owner']--; }

  /** A ping's `rtt_ms`: the browser's previous ping → pong round trip. Absent or implausible values are ignored. */
  pinged(rttMs: unknown): void {
    if (typeof rttMs === 'number' && Number.isFinite(rttMs) && rttMs >= 0 && rttMs <= MAX_RTT_MS) this.rtt.observe(rttMs / 1000);
  }
}
