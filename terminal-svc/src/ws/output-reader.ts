import { DeliverPolicy, jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { BATCH_HDR, decodeOutputBatch, type OutputRecord, SessionExit, TERMINAL_STREAM, termOutputSubject, termRecordSubject } from '@webxterm/contracts';
import { jetstream, NatsConnection } from '@webxterm/kit';

export type OutputEvent = { seq: number; kind: 'data'; data: Uint8Array; at: number } | { seq: number; kind: 'exit'; exit: SessionExit; at: number };

/** Live messages held for a relay that is behind; past this the live copy is dropped and the gap is read back from JetStream. */
const LIVE_BUFFER_MAX_BYTES = 4 << 20;
/** How long a gap may wait for the bridge to store the missing chunks (it batches for up to 1 s) before asking again. */
const GAP_WAIT_MS = 2000;
/** How many times a gap is asked again from the agent's ledger before the reader reports it. */
const GAP_RESENDS = 3;
/** How many times a reader without a tap of its own reads the stream again while nothing arrives live (waits doubling from GAP_WAIT_MS). */
const CATCH_UP_READS = 3;

/** Output the agent no longer holds: the reader stops rather than skip it silently. */
export class OutputGap extends Error {
  constructor(readonly from: number, readonly to: number) { super(`output ${from}-${to} could not be recovered`); }
}

function toEvent(r: OutputRecord): OutputEvent {
  return r.kind === 'exit'
    ? { seq: r.seq, kind: 'exit', exit: SessionExit.parse(JSON.parse(Buffer.from(r.data).toString('utf8'))), at: r.at }
    : { seq: r.seq, kind: 'data', data: r.data, at: r.at };
}

/**
 * A session's live output subject, subscribed and buffered. A new session's tap is made before the
 * agent opens the PTY, so the shell's first output (its prompt) cannot slip past the relay.
 */
export class LiveOutput {
  private readonly messages: Msg[] = [];
  private bytes = 0;
  private wake: (() => void) | null = null;
  private readonly sub: Subscription;

  constructor(nc: NatsConnection, sessionId: string) {
    this.sub = nc.subscribe(termOutputSubject(sessionId), {
      callback: (err, m) => {
        if (err) return;
        if (this.bytes > LIVE_BUFFER_MAX_BYTES) { this.messages.length = 0; this.bytes = 0; } // fall back to the stream
        this.messages.push(m);
        this.bytes += m.data.length;
        this.wake?.();
      },
    });
  }

  next(): Msg | undefined {
    const m = this.messages.shift();
    if (m) this.bytes -= m.data.length;
    return m;
  }

  /** Resolves true at the next message or when `wakeUp` is called, false after `timeoutMs`. */
  arrival(timeoutMs = Infinity): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = timeoutMs === Infinity ? null : setTimeout(() => { this.wake = null; resolve(false); }, timeoutMs);
      this.wake = () => { this.wake = null; if (timer) clearTimeout(timer); resolve(true); };
    });
  }

  wakeUp(): void { this.wake?.(); }

  close(): void { if (!this.sub.isClosed()) this.sub.unsubscribe(); }
}

export interface ReadOutputOptions {
  /** Follow live output after the stored backlog (false: the stored output only, as for a recording). */
  follow?: boolean;
  /** The session's live tap, when it was made before the session opened (closed with the reader). */
  live?: LiveOutput;
  /** Asks the agent to send again what follows `afterSeq` (a gap nobody stored). */
  resend?: (afterSeq: number) => void;
  /** How long a gap waits for its chunks to be stored before asking again (GAP_WAIT_MS). */
  gapWaitMs?: number;
}

/**
 * A session's output in seq order, after `afterSeq`. Live chunks come straight from the core NATS
 * subject (low latency); whatever is missing — the backlog of a resumed or joining browser, or a
 * gap — is read from the batches the bridge stored in the TERMINAL stream, which every replica can
 * reach. Duplicates are dropped by seq, so a browser sees each chunk exactly once.
 */
export async function* readOutput(
  nc: NatsConnection, sessionId: string, afterSeq: number, signal: AbortSignal,
  { follow = true, resend = () => undefined, gapWaitMs = GAP_WAIT_MS, live: tap }: ReadOutputOptions = {},
): AsyncGenerator<OutputEvent> {
  const stored = termRecordSubject(sessionId);
  const live = tap ?? (follow ? new LiveOutput(nc, sessionId) : null);
  const onAbort = () => live?.wakeUp();
  signal.addEventListener('abort', onAbort, { once: true });
  let last = afterSeq;
  /** Chunks last+1 … upTo, missed live or never stored: from the stream, asking the agent again for what never got there. */
  async function* recover(upTo: number): AsyncGenerator<OutputEvent> {
    for (let attempt = 0; last < upTo && attempt <= GAP_RESENDS && !signal.aborted; attempt++) {
      if (attempt > 0) resend(last);
      for await (const r of backlog(nc, stored, last, upTo, signal, gapWaitMs)) {
        if (r.seq !== last + 1) break; // still a hole before it: ask again
        last = r.seq;
        yield toEvent(r);
      }
    }
    if (last < upTo) throw new OutputGap(last + 1, upTo);
  }
  /** Everything stored after `last`; true when it ended with the exit. */
  async function* fromStream(): AsyncGenerator<OutputEvent, boolean> {
    for await (const r of backlog(nc, stored, last, Infinity, signal, 0)) {
      if (r.seq <= last) continue;
      if (r.seq > last + 1) yield* recover(r.seq - 1);
      last = r.seq;
      yield toEvent(r);
      if (r.kind === 'exit') return true;
    }
    return false;
  }
  try {
    if ((yield* fromStream()) || !live) return;
    // A tap made before the session opened has missed nothing. Any other reader can miss output that
    // went live before its tap was made and was stored only after it read the stream (the bridge
    // stores within a second); with the agent paused for credits nothing more would come live to
    // reveal the gap. So a resumed owner asks the agent for what follows at once, and until something
    // arrives live the stream is read again, CATCH_UP_READS times.
    let catchUps = tap ? CATCH_UP_READS : 0;
    if (!tap && afterSeq > 0) resend(last);
    while (!signal.aborted) {
      const m = live.next();
      if (!m) {
        if (catchUps >= CATCH_UP_READS) { await live.arrival(); continue; }
        const arrived = await live.arrival(gapWaitMs * 2 ** catchUps++);
        if (!arrived && !signal.aborted && (yield* fromStream())) return;
        continue;
      }
      let r: OutputRecord;
      try {
        [r] = decodeOutputBatch(m.data, null);
      } catch {
        continue; // not a record: dropped like any other stray message; the gap, if any, is recovered
      }
      if (!r || r.seq <= last) continue;
      catchUps = CATCH_UP_READS;
      if (r.seq > last + 1) yield* recover(r.seq - 1);
      last = r.seq;
      const ev = toEvent(r);
      yield ev;
      if (ev.kind === 'exit') return;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    live?.close();
  }
}

/** The subject's newest stored batch, or null (an ordered consumer on an empty subject would just wait). */
async function newestStored(nc: NatsConnection, subject: string): Promise<StoredMsg | null> {
  try {
    return await (await jetstreamManager(nc)).streams.getMessage(TERMINAL_STREAM.name, { last_by_subj: subject });
  } catch {
    return null;
  }
}

/**
 * Stored chunks with seq > after, in order: all of them (upTo = Infinity: read until the consumer
 * has nothing pending), or up to `upTo` for a gap (waiting up to `waitMs` for them to be stored).
 * Batches stored twice (an agent replaying to another bridge) overlap: seqs already read are skipped.
 * Reading all of them starts at the newest batch when that one already follows `after` (a resume,
 * a reader catching up), and reads nothing when it holds nothing newer; a gap reads the whole subject.
 */
async function* backlog(nc: NatsConnection, subject: string, after: number, upTo: number, signal: AbortSignal, waitMs: number): AsyncGenerator<OutputRecord> {
  const deadline = Date.now() + waitMs;
  let newest: StoredMsg | null;
  while (!(newest = await newestStored(nc, subject))) {
    if (Date.now() >= deadline || signal.aborted) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  const fromNewest = upTo === Infinity && Number(newest.header.get(BATCH_HDR.first)) <= after + 1;
  if (fromNewest && Number(newest.header.get(BATCH_HDR.last)) <= after) return;
  const consumer = await jetstream(nc).consumers.get(TERMINAL_STREAM.name, fromNewest
    ? { filter_subjects: subject, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: newest.seq }
    : { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume({ max_bytes: 4 << 20 });
  const stop = () => messages.stop();
  signal.addEventListener('abort', stop, { once: true });
  const timer = upTo === Infinity ? null : setTimeout(stop, Math.max(0, deadline - Date.now()));
  try {
    for await (const m of messages) {
      if (Number(m.headers?.get(BATCH_HDR.last)) > after) {
        for (const r of decodeOutputBatch(m.data, m.headers?.get(BATCH_HDR.encoding))) {
          if (r.seq <= after || r.seq > upTo) continue;
          after = r.seq;
          yield r;
        }
      }
      if (after >= upTo || (upTo === Infinity && m.info.pending === 0)) break;
    }
  } finally {
    if (timer) clearTimeout(timer);
    signal.removeEventListener('abort', stop);
    messages.stop();
  }
}
