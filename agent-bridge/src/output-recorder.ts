import { randomBytes } from 'node:crypto';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { BATCH_HDR, encodeOutputBatch, OutputRecord, termRecordSubject } from '@webxterm/contracts';
import { type Logger, retryDelay, type RetryPolicy } from '@webxterm/kit';

/** A batch is stored once it holds this much output… */
const BATCH_MAX_BYTES = 64 * 1024;
/**
 * …or once its first record is this old. Typing stores one message per second per session instead of
 * five: at N = 500 typing sessions that took a quarter of the platform's CPU per key (nats-server and
 * the bridge) and three quarters of the stored bytes. The price: credits and a resumed browser's gap
 * wait up to this long (the reader waits 2 s for a gap to be stored).
 */
const BATCH_MAX_MS = 1000;
/** A batch JetStream did not take is tried again after 100 ms, doubling up to 2 s. */
const STORE_RETRY: RetryPolicy = { initialMs: 100, factor: 2, maxMs: 2000 };
/**
 * A credit that covers nothing newly stored still reaches the agent this often (the agent closes
 * sessions whose owner sent nothing for an hour); more often it would only cost messages.
 */
const KEEP_ALIVE_FORWARD_MS = 10_000;
/** After a batch that did not compress, this much output is stored uncompressed before trying again. */
const RAW_AFTER_INCOMPRESSIBLE_BYTES = 1 << 20;

/**
 * Stores one session's output in JetStream in batches, and stands between the browser's credits
 * and the agent: a credit reaches the agent only for chunks already stored, so the agent's ledger
 * holds every chunk until it can be read back by any replica — a NATS restart or a killed
 * terminal-svc loses nothing. Live delivery does not wait for any of this.
 */
export class OutputRecorder {
  private pending: OutputRecord[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Every seq ≤ stored is in JetStream (null: nothing seen yet, so nothing is known to be). */
  private stored: number | null = null;
  private wanted = 0;
  private forwarded = 0;
  private forwardedAt = -Infinity;
  private closed = false;
  /** Output still to store uncompressed since the last batch that did not compress. */
  private rawBytesLeft = 0;
  /** The last batch compression was tried on did not compress: the next try is a probe. */
  private incompressible = false;
  /** The highest seq added: a chunk the agent sends again (for a reader's gap) is already pending or stored. */
  private lastAdded = 0;

  constructor(
    private readonly sessionId: string,
    private readonly js: JetStreamClient,
    private readonly sendCredit: (ackedSeq: number) => void,
    private readonly log: Logger,
  ) {}

  add(record: OutputRecord): void {
    if (record.seq <= this.lastAdded) return;
    this.lastAdded = record.seq;
    if (this.stored === null) this.stored = record.seq - 1; // the agent replays from its first unacknowledged chunk
    this.pending.push(record);
    this.pendingBytes += record.data.length;
    if (this.pendingBytes >= BATCH_MAX_BYTES || record.kind === 'exit') this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MAX_MS);
  }

  /**
   * The browser has everything up to `seq`. Forwarded when it covers more stored output, and at
   * least every KEEP_ALIVE_FORWARD_MS anyway: credits are also the owner's keep-alive.
   */
  credit(seq: number, now = Date.now()): void {
    this.wanted = Math.max(this.wanted, seq);
    const acked = Math.min(seq, this.stored ?? 0);
    if (acked <= this.forwarded && now - this.forwardedAt < KEEP_ALIVE_FORWARD_MS) return;
    this.forwarded = Math.max(this.forwarded, acked);
    this.forwardedAt = now;
    this.sendCredit(acked);
  }

  /** Stores what is pending; resolves once everything added so far is stored (or given up on). */
  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      this.chain = this.chain.then(() => this.store(batch));
    }
    return this.chain;
  }

  /** No more records: store the last batch; retries stop. */
  close(): Promise<void> {
    const done = this.flush();
    this.closed = true;
    return done;
  }

  /**
   * A retried batch is stored once (JetStream drops a repeated msgID within the stream's duplicate
   * window): this recorder's random prefix and the batch's first seq, 8 + a few bytes kept with each
   * batch (the session id and both seqs took 50).
   */
  private readonly batchIds = randomBytes(6).toString('base64url');

  private async store(batch: OutputRecord[]): Promise<void> {
    const first = batch[0].seq;
    const last = batch[batch.length - 1].seq;
    const compression = this.rawBytesLeft > 0 ? 'none' : this.incompressible ? 'probe' : 'try';
    const { body, encoding, compressible } = await encodeOutputBatch(batch, compression);
    if (compression === 'none') this.rawBytesLeft -= body.length;
    else {
      this.incompressible = !compressible;
      if (!compressible) this.rawBytesLeft = RAW_AFTER_INCOMPRESSIBLE_BYTES;
    }
    const h = natsHeaders();
    h.set(BATCH_HDR.first, String(first));
    h.set(BATCH_HDR.last, String(last));
    h.set(BATCH_HDR.encoding, encoding);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.js.publish(termRecordSubject(this.sessionId), body, { headers: h, msgID: `${this.batchIds}${first}` });
        break;
      } catch (e) {
        // Until stored, nothing later is credited either: the agent keeps the chunks and pauses the PTY.
        // Once the link is gone the agent replays them to whichever bridge it reaches next.
        if (attempt === 1 || this.closed) this.log.warn({ session_id: this.sessionId, first, last, err: (e as Error).message }, 'output batch not stored yet');
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, retryDelay(attempt, STORE_RETRY)));
      }
    }
    if (this.stored !== null && first <= this.stored + 1) this.stored = Math.max(this.stored, last);
    const acked = Math.min(this.wanted, this.stored ?? 0);
    if (acked > this.forwarded) {
      this.forwarded = acked;
      this.forwardedAt = Date.now();
      this.sendCredit(acked);
    }
  }
}
