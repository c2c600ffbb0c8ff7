import { randomUUID } from 'node:crypto';
import { AuditEvent, AuditRecorded, PLATFORM_TENANT } from '@webxterm/contracts';
import type { Logger } from 'pino';
import type { Bus } from './bus';
import { currentRequestId } from './request-context';

export type AuditInput = Omit<AuditEvent, 'id' | 'at' | 'source' | 'tenant_id'> & { tenant_id?: string | null };

export interface AuditSink {
  record(e: AuditInput): void;
}

/**
 * Publishes audit events to JetStream without holding up the request that caused them. While
 * JetStream is unreachable, events wait in a bounded queue and are retried in order; the event id
 * is the message id, so a retry after an unacknowledged success is de-duplicated by the server.
 */
export class AuditPublisher implements AuditSink {
  private queue: AuditEvent[] = [];
  private draining = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly bus: Bus,
    private readonly source: string,
    private readonly log: Logger,
    private readonly maxQueued = 50_000,
  ) {}

  record(input: AuditInput): void {
    const requestId = currentRequestId();
    const event: AuditEvent = {
      ...(requestId ? { request_id: requestId } : {}),
      ...input,
      id: randomUUID(),
      at: new Date().toISOString(),
      source: this.source,
      tenant_id: input.tenant_id || PLATFORM_TENANT,
    };
    // An event that can never be published (schema, or a tenant id that is no subject token) would
    // stay at the head of the queue and block every later one: refuse it here, loudly, instead.
    try {
      AuditRecorded.subjectFor(AuditRecorded.schema.parse(event));
    } catch (e) {
      this.log.error({ action: event.action, tenant_id: event.tenant_id, err: (e as Error).message }, 'invalid audit event dropped');
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      this.log.error({ action: event.action }, 'audit queue full; event dropped');
      return;
    }
    this.queue.push(event);
    void this.drain();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when everything queued has been acknowledged, or rejects after `timeoutMs`. */
  async flush(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.queue.length > 0) {
      if (Date.now() > until) throw new Error(`${this.queue.length} audit events not published`);
      await new Promise((r) => setTimeout(r, 20));
      void this.drain();
    }
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const event = this.queue[0];
        try {
          await this.bus.publishDurable(AuditRecorded, event, event.id, event.request_id);
          this.queue.shift();
        } catch (e) {
          this.log.warn({ err: (e as Error).message, pending: this.queue.length }, 'audit publish failed; will retry');
          if (!this.retryTimer && !this.closed) this.retryTimer = setTimeout(() => { this.retryTimer = null; void this.drain(); }, 1000);
          return;
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
