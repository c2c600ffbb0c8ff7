import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { AUDIT_STREAM, auditTenantFilter, type AuditEvent } from '@webxterm/contracts';
import { waitUntil } from './wait';

export interface ReadAuditOptions {
  /** Give up after this long and return what matched so far. Default 20 s. */
  timeoutMs?: number;
  /** Return as soon as this many events matched. Default 1. */
  expect?: number;
  /** Read from this time on. Default: a minute before this test process loaded the kit. */
  since?: Date;
  /** Only this organization's events (`NO_ORGANIZATION_TENANT` for those of no organization): far fewer to read. */
  tenant?: string;
}

const LOADED = new Date(Date.now() - 60_000);

/**
 * Reads the AUDIT stream from `since` with an ordered (ephemeral) consumer and returns the events
 * for which `filter` is true (the stream grows with every run: reading it all would get slower). Filters should pick events by something unique to the test
 * (a `uniqueName` user or organization), because the stream holds every earlier run's events too.
 */
export async function readAuditEvents<T = AuditEvent>(
  natsUrl: string,
  filter: (event: T) => boolean,
  { timeoutMs = 20_000, expect = 1, since = LOADED, tenant }: ReadAuditOptions = {},
): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  const nc = await connect({ servers: natsUrl.split(','), timeout: 5000 });
  try {
    const js = jetstream(nc);
    // The stream appears when the first service starts; until then there is nothing to read.
    // A single filter subject (not an array) keeps nats-server 2.9 (Debian 12) happy.
    const consumer = await waitUntil(
      () => js.consumers.get(AUDIT_STREAM.name, { filter_subjects: tenant ? auditTenantFilter(tenant) : AUDIT_STREAM.subjects[0], opt_start_time: since.toISOString() })
        .catch(() => undefined),
      timeoutMs, 'the audit stream').catch(() => undefined);
    if (!consumer) return [];

    const matched: T[] = [];
    const messages = await consumer.consume();
    const timer = setTimeout(() => messages.stop(), Math.max(0, deadline - Date.now()));
    try {
      for await (const m of messages) {
        collectIfMatching(m.string(), filter, matched);
        if (matched.length >= expect) break;
      }
    } finally {
      clearTimeout(timer);
      messages.stop();
    }
    return matched;
  } finally {
    await nc.close();
  }
}

/** Parses one message and collects it when the filter accepts it; other shapes are skipped. */
function collectIfMatching<T>(data: string, filter: (event: T) => boolean, into: T[]): void {
  try {
    const event = JSON.parse(data) as T;
    if (filter(event)) into.push(event);
  } catch {
    // not JSON, or the filter tripped over another shape of event: not a match
  }
}
