import { randomUUID } from 'node:crypto';
import { AuditEvent, AuditRecorded, NO_ORGANIZATION_TENANT } from '@webxterm/contracts';
import type { Logger } from 'pino';
import type { Bus } from './bus';
import { currentRequestId } from './request-context';

export type AuditInput = Omit<AuditEvent, 'id' | 'at' | 'source' | 'tenant_id'> & { tenant_id?: string | null };

export interface AuditSink {
  record(e: AuditInput): void;
}

/** A sink that also tells when an event is stored: the gateway answers an audited request only then. */
export interface ConfirmingAuditSink extends AuditSink {
  /** Records `e`; true once JetStream holds it, false if it was refused or is still queued after `timeoutMs`. */
  stored(e: AuditInput, timeoutMs: number): Promise<boolean>;
}

/**
 * Publishes audit events to JetStream without holding up the request that caused them. While
 * JetStream is unreachable, events wait in a bounded queue and are retried in order; the event id
 * is the message id, so a retry after an unacknowledged success is de-duplicated by the server.
 */
export class AuditPublisher implements ConfirmingAuditSink {
  private queue: AuditEvent[] = [];
  /** Who waits for which queued event (by id) to be stored. */
  private readonly confirmations = new Map<string, () => void>();
  private draining = false;
  /** Who waits for the queue to be empty (`flush`). */
  private readonly emptied = new Set<() => void>();
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly bus: Bus,
    private readonly source: string,
    private readonly log: Logger,
    private readonly maxQueued = 50_000,
  ) {}

  record(input: AuditInput): void {
    this.enqueue(input);
  }

  stored(input: AuditInput, timeoutMs: number): Promise<boolean> {
    const event = this.enqueue(input);
    if (!event) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.confirmations.delete(event.id); resolve(false); }, timeoutMs);
      this.confirmations.set(event.id, () => { clearTimeout(timer); resolve(true); });
    });
  }

  private enqueue(input: AuditInput): AuditEvent | null {
    const requestId = currentRequestId();
    const event: AuditEvent = {
      ...(requestId ? { request_id: requestId } : {}),
      ...input,
      id: randomUUID(),
      at: new Date().toISOString(),
      source: this.source,
      tenant_id: input.tenant_id || NO_ORGANIZATION_TENANT,
    };
    // An event that can never be published (schema, or a tenant id that is no subject token) would
    // stay at the head of the queue and block every later one: refuse it here, loudly, instead.
    try {
      AuditRecorded.subjectFor(AuditRecorded.schema.parse(event));
    } catch (e) {
      this.log.error({ action: event.action, tenant_id: event.tenant_id, err: (e as Error).message }, 'invalid audit event dropped');
      return null;
    }
    if (this.queue.length >= this.maxQueued) {
      this.log.error({ action: event.action }, 'audit queue full; event dropped');
      return null;
    }
    this.queue.push(event);
    void this.drain();
    return event;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when everything queued has been acknowledged, or rejects after `timeoutMs`. */
  flush(timeoutMs = 5000): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    void this.drain(); // now, not at the next retry
    return new Promise((resolve, reject) => {
      const done = () => { clearTimeout(timer); resolve(); };
      const timer = setTimeout(() => {
        this.emptied.delete(done);
        reject(new Error(`${this.queue.length} audit events not published`));
      }, timeoutMs);
      this.emptied.add(done);
    });
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
          this.confirmations.get(event.id)?.();
          this.confirmations.delete(event.id);
          if (this.queue.length === 0) {
            for (const done of this.emptied) done();
            this.emptied.clear();
          }
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
