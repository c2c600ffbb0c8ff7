import { ConsumerMessages, jetstream, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AuditEvent } from '@webxterm/contracts';
import { ensureDurableConsumer, type Logger, retryDelay, type RetryPolicy } from '@webxterm/kit';
import { parseAuditMessage } from '../domain/event';
import type { AppendResult } from '../store/event-writer';

/** Where the consumer stores a batch; one transaction per call (EventWriter). */
export interface BatchStore { append(events: readonly AuditEvent[]): Promise<AppendResult> }

export interface AuditConsumerOptions {
  stream: string;
  /** Durable name shared by every replica. */
  durable: string;
  /** The subjects it takes (a filter within the stream's subjects). */
  filter: string;
  /** Where a durable created now starts: the whole stream, or only what is published from now on. */
  deliver: 'all' | 'new';
  batchSize: number;
  /** Fetch-and-store loops per replica: while one waits for PostgreSQL, another fetches and validates. */
  concurrency: number;
  lingerMs: number;
  ackWaitSec: number;
  maxAckPending: number;
}

export interface ConsumerStats { stored: number; duplicates: number; invalid: number; failedBatches: number }

const DONE = Symbol('linger');
/** How long one pull request waits for messages; also the longest a stop waits for the last fetch. */
const FETCH_EXPIRES_MS = 2000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** The bus's retry policy, tighter: a failed batch holds up the whole stream, so it is retried sooner. */
const BATCH_RETRY: RetryPolicy = { initialMs: 500, factor: 2, maxMs: 8000 };

/**
 * The durable JetStream pull consumer that feeds the store. Messages are taken in batches (up to
 * `batchSize`, waiting at most `lingerMs` for a batch to fill); a batch is validated, stored in one
 * transaction, and only then acknowledged, so a crash at any point means redelivery, and the store
 * skips what it already has: every event is stored exactly once.
 *
 * - An invalid message is logged and terminated: it is never redelivered and never blocks the rest.
 * - A batch that fails on a data error is split and stored one event at a time, so only the event
 *   PostgreSQL refuses is terminated.
 * - Any other failure (database down, lock conflict) naks the batch for redelivery after a delay.
 */
export class AuditConsumer {
  private loop: Promise<void> | null = null;
  private pulling = 0;
  private stopping = false;
  private failures = 0;
  readonly stats: ConsumerStats = { stored: 0, duplicates: 0, invalid: 0, failedBatches: 0 };

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: BatchStore,
    private readonly log: Logger,
    private readonly o: AuditConsumerOptions,
  ) {}

  /** True while the consumer is pulling. */
  get running(): boolean {
    return this.pulling > 0 && !this.stopping;
  }

  /** Creates or updates the durable consumer, then starts pulling in the background. */
  async start(): Promise<void> {
    await this.ensureConsumer();
    this.loop = Promise.all(Array.from({ length: this.o.concurrency }, () => this.runForever())).then(() => undefined);
  }

  /**
   * Stops pulling: the batch being stored is finished and acknowledged, and every message of the
   * current fetch not yet stored is handed back to JetStream (nak) so another replica takes it at
   * once. Bounded by `timeoutMs` (a fetch lasts at most FETCH_EXPIRES_MS).
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => { timer = setTimeout(r, timeoutMs); });
    await Promise.race([this.loop, timeout]);
    clearTimeout(timer);
  }

  /** The bus's consumer setup: created, or re-filtered and re-limited in place; configuration errors are thrown. */
  private ensureConsumer(): Promise<void> {
    return ensureDurableConsumer(this.nc, this.o.stream, this.o.durable, {
      filter: this.o.filter, deliver: this.o.deliver, ackWaitMs: this.o.ackWaitSec * 1000, maxAckPending: this.o.maxAckPending,
    });
  }

  /**
   * One pull request (fetch) at a time, until stopped. A fetch ends when it delivered `batchSize`
   * messages or after FETCH_EXPIRES_MS; stopping only means no further fetch is made, so every
   * message the server sent for the current one is still received, and stored or handed back.
   * (`consume()` keeps a pull request open and drops what arrives after its stop(): those events
   * would wait out ack_wait.) On an error the consumer is re-checked and pulling resumes after a pause.
   */
  private async runForever(): Promise<void> {
    while (!this.stopping) {
      try {
        const consumer = await jetstream(this.nc).consumers.get(this.o.stream, this.o.durable);
        this.pulling++;
        try {
          while (!this.stopping) {
            await this.take(await consumer.fetch({ max_messages: this.o.batchSize, expires: FETCH_EXPIRES_MS }));
          }
        } finally {
          this.pulling--;
        }
      } catch (e) {
        if (this.stopping) break;
        this.log.warn({ err: (e as Error).message }, 'audit consumer failed; retrying');
        await sleep(1000);
        await this.ensureConsumer().catch((err) => this.log.warn({ err: (err as Error).message }, 'audit consumer setup failed'));
      }
    }
  }

  /**
   * Stores what one fetch delivers, in batches: whatever has arrived, waiting at most `lingerMs`
   * for more, so a quiet stream is stored at once and a busy one in full batches.
   */
  private async take(messages: ConsumerMessages): Promise<void> {
    const it = messages[Symbol.asyncIterator]();
    let next = it.next();
    for (;;) {
      const first = await next;
      if (first.done) return;
      next = it.next();
      if (this.stopping) { first.value.nak(); continue; }
      const batch = [first.value];
      let timer: NodeJS.Timeout | undefined;
      const linger = new Promise<typeof DONE>((r) => { timer = setTimeout(() => r(DONE), this.o.lingerMs); });
      while (batch.length < this.o.batchSize) {
        const r = await Promise.race([next, linger]);
        if (r === DONE || r.done) break;
        batch.push(r.value);
        next = it.next();
      }
      clearTimeout(timer);
      await this.handleBatch(batch);
    }
  }

  private async handleBatch(batch: JsMsg[]): Promise<void> {
    const valid: { msg: JsMsg; event: AuditEvent }[] = [];
    for (const msg of batch) {
      const parsed = parseAuditMessage(msg.string());
      if (parsed.ok) { valid.push({ msg, event: parsed.event }); continue; }
      this.stats.invalid++;
      this.log.error({ stream_seq: msg.seq, subject: msg.subject, reason: parsed.reason }, 'invalid audit event terminated');
      msg.term(); // bare: nats-server 2.9 ignores `+TERM <reason>` and would redeliver it every ack_wait; the reason is logged above
    }
    if (valid.length === 0) return;
    try {
      this.count(await this.store.append(valid.map((v) => v.event)));
      for (const v of valid) v.msg.ack();
      this.failures = 0;
    } catch (e) {
      this.stats.failedBatches++;
      if (isDataError(e)) { await this.storeOneByOne(valid); return; }
      this.failures++;
      const delay = retryDelay(this.failures, BATCH_RETRY);
      this.log.warn({ err: (e as Error).message, events: valid.length, retry_ms: delay }, 'audit batch not stored; redelivering');
      for (const v of valid) v.msg.nak(delay);
      if (!this.stopping) await sleep(delay);
    }
  }

  /** A batch PostgreSQL refused on a data error: find the events it refuses and terminate only those. */
  private async storeOneByOne(valid: { msg: JsMsg; event: AuditEvent }[]): Promise<void> {
    for (const v of valid) {
      try {
        this.count(await this.store.append([v.event]));
        v.msg.ack();
      } catch (e) {
        if (isDataError(e)) {
          this.stats.invalid++;
          this.log.error({ id: v.event.id, err: (e as Error).message }, 'audit event refused by the store; terminated');
          v.msg.term();
        } else {
          v.msg.nak(1000);
        }
      }
    }
  }

  private count(r: AppendResult): void {
    this.stats.stored += r.stored;
    this.stats.duplicates += r.duplicates;
  }
}

/** PostgreSQL refused the data itself (class 22 data exception, NOT NULL or CHECK violation): retrying cannot help. */
function isDataError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code === '23502' || code === '23514');
}
