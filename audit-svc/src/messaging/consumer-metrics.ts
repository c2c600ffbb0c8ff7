import { jetstreamManager } from '@nats-io/jetstream';
import { Counter, Gauge, type NatsConnection, type ServiceMetrics } from '@webxterm/kit';
import type { ConsumerStats } from './audit.consumer';

/**
 * The audit consumer's lag, asked of JetStream at scrape time, for the durable all replicas share:
 * `state="undelivered"` counts events in the stream not yet handed out (`num_pending`),
 * `state="unacked"` those handed out but not yet stored and acknowledged (`num_ack_pending`).
 * When JetStream does not answer, the series are absent from that scrape. Plus what this replica stored.
 */
export function meterAuditConsumer(metrics: ServiceMetrics, nc: NatsConnection, stream: string, durable: string, stats: ConsumerStats): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'audit_consumer_pending_messages', help: 'Audit events the consumer has not stored yet: undelivered, or delivered and unacknowledged',
    labelNames: ['consumer', 'state'], registers,
    async collect() {
      this.reset();
      try {
        const info = await (await jetstreamManager(nc)).consumers.info(stream, durable);
        this.set({ consumer: durable, state: 'undelivered' }, info.num_pending);
        this.set({ consumer: durable, state: 'unacked' }, info.num_ack_pending);
      } catch { /* absent this time: the consumer or JetStream is unreachable */ }
    },
  });
  new Counter({
    name: 'audit_events_stored_total', help: 'Audit events this replica stored', registers,
    collect() { this.reset(); this.inc(stats.stored); },
  });
}
