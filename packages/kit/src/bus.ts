import {
  AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type ConsumerConfig, type ConsumerInfo,
  type JetStreamClient, type JetStreamManager, type JsMsg,
} from '@nats-io/jetstream';
import { headers as natsHeaders, type Msg, type NatsConnection, nanos, RequestError, TimeoutError } from '@nats-io/transport-node';
import {
  commonFilter, contractFilters, type EventContract, type RpcContract, type RpcError, type StreamDefinition, subjectMatches,
} from '@webxterm/contracts';
import pino, { type Logger } from 'pino';
import type { z } from 'zod';
import { AppError, type ErrorKind, isDatabaseUnavailable } from './errors';
import { ensureStream } from './nats';
import { currentRequestId, REQUEST_ID_HEADER, requestIdHeaders, withRequestId } from './request-context';

/** What a handler knows about the message it handles, besides the validated payload. */
export interface MessageContext {
  subject: string;
  /** The `x-request-id` the message carried; RPCs and publishes made by the handler carry it on. */
  requestId: string | null;
  /** A child logger naming the subject and the request id. */
  log: Logger;
}

export type EventHandler<S extends z.ZodType> = (payload: z.infer<S>, ctx: MessageContext) => unknown;

/** One contract and its handler, for `consumeDurable` (a method, so handlers of any contract fit one list). */
export interface Handles<S extends z.ZodType = z.ZodType> {
  contract: EventContract<S>;
  handler(payload: z.infer<S>, ctx: MessageContext): unknown;
}

/** Binds a handler to a contract (the payload type follows the contract). */
export function on<S extends z.ZodType>(contract: EventContract<S>, handler: EventHandler<S>): Handles<S> {
  return { contract, handler };
}

/**
 * The one retry policy for a message whose handler failed: redelivered after `initialMs`, then each
 * time `factor` times later, never later than `maxMs`. A handler failure is retried for ever (the
 * failure is usually a dependency that comes back); a bad payload is never retried.
 */
export interface RetryPolicy { initialMs: number; factor: number; maxMs: number }
export const DEFAULT_RETRY: RetryPolicy = { initialMs: 500, factor: 2, maxMs: 30_000 };

/** The delay before attempt `failures + 1`, after `failures` (≥ 1) failed ones. */
export function retryDelay(failures: number, p: RetryPolicy = DEFAULT_RETRY): number {
  const n = Math.max(1, Math.floor(failures));
  return Math.min(p.maxMs, Math.round(p.initialMs * p.factor ** Math.min(n - 1, 30)));
}

export interface DurableConsumerSettings {
  /** The consumer's single filter subject (nats-server 2.9 has no `filter_subjects`). */
  filter: string;
  /** Where a consumer created now starts: the whole stream, or only what is published from now on. */
  deliver: 'all' | 'new';
  ackWaitMs: number;
  maxAckPending?: number;
}

/**
 * Creates the durable consumer, or brings an existing one's filter and limits up to date (a consumer
 * made by an older release with an older filter is re-filtered, keeping its position). Anything but
 * "not found" — a bad filter, a missing stream — is thrown: configuration errors surface.
 */
export async function ensureDurableConsumer(nc: NatsConnection, stream: string, durable: string, s: DurableConsumerSettings): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const limits: Partial<ConsumerConfig> = {
    filter_subject: s.filter, ack_wait: nanos(s.ackWaitMs), ...(s.maxAckPending ? { max_ack_pending: s.maxAckPending } : {}),
  };
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(stream, durable);
  } catch (e) {
    if (!(e instanceof JetStreamApiError && e.code === JetStreamApiCodes.ConsumerNotFound)) throw e;
    // Replicas starting together may both get here; the server answers an identical add idempotently.
    await jsm.consumers.add(stream, {
      durable_name: durable, ack_policy: AckPolicy.Explicit, max_deliver: -1,
      deliver_policy: s.deliver === 'all' ? DeliverPolicy.All : DeliverPolicy.New, ...limits,
    });
    return;
  }
  const c = info.config;
  if (c.filter_subject !== limits.filter_subject && !updatesFilterInPlace(nc)) {
    await refilterByRecreating(jsm, stream, info, limits);
  } else if (c.filter_subject !== limits.filter_subject || c.ack_wait !== limits.ack_wait
    || (limits.max_ack_pending !== undefined && c.max_ack_pending !== limits.max_ack_pending)) {
    await jsm.consumers.update(stream, durable, limits);
  }
}

/**
 * nats-server 2.9 accepts a new filter subject on update, but a waiting pull is then woken only by
 * messages of the old filter (new ones wait for the next pull, up to its expiry). From 2.10 an update
 * is complete.
 */
function updatesFilterInPlace(nc: NatsConnection): boolean {
  const [major, minor] = (nc.info?.version ?? '0.0').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}

/**
 * On nats-server 2.9: the durable is made again with the new filter, from the first message it has
 * not acknowledged (what was delivered but not yet acknowledged is delivered again: at least once).
 */
async function refilterByRecreating(jsm: JetStreamManager, stream: string, info: ConsumerInfo, limits: Partial<ConsumerConfig>): Promise<void> {
  const c = info.config;
  const next = info.num_ack_pending === 0 ? info.delivered.stream_seq + 1 : info.ack_floor.stream_seq + 1;
  const start = info.delivered.stream_seq === 0
    ? { deliver_policy: c.deliver_policy, ...(c.opt_start_seq ? { opt_start_seq: c.opt_start_seq } : {}), ...(c.opt_start_time ? { opt_start_time: c.opt_start_time } : {}) }
    : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: next };
  await jsm.consumers.delete(stream, info.name);
  await jsm.consumers.add(stream, {
    durable_name: info.name, ack_policy: AckPolicy.Explicit, max_deliver: c.max_deliver ?? -1,
    max_ack_pending: c.max_ack_pending, ...start, ...limits,
  });
}

export interface ConsumeOptions {
  /** Where the durable starts when it is created now. */
  deliver: 'all' | 'new';
  /** Messages held at once by this replica. */
  maxMessages?: number;
  ackWaitMs?: number;
  retry?: RetryPolicy;
}

/** The payload of a message, validated against its contract; `null` (and why) when it is not one. */
function parsePayload<S extends z.ZodType>(contract: EventContract<S>, data: () => unknown): { ok: true; value: z.infer<S> } | { ok: false; reason: string } {
  let body: unknown;
  try { body = data(); } catch { return { ok: false, reason: 'not JSON' }; }
  const r = contract.schema.safeParse(body);
  return r.success ? { ok: true, value: r.data } : { ok: false, reason: r.error.issues[0]?.message ?? 'invalid payload' };
}

function matchesContract(contract: EventContract<z.ZodType>, subj: string): boolean {
  return contractFilters(contract).some((f) => subjectMatches(f, subj));
}

/**
 * The platform's message bus over one NATS connection: every publish, request, subscription and
 * durable consumer of a service goes through it, typed by the contracts of packages/contracts, with
 * payloads validated at the edge and the request id carried in `x-request-id`. Terminal bytes (hot
 * path) are published on `nc` directly, on subjects from the contracts.
 */
export class Bus {
  readonly js: JetStreamClient;
  private readonly log: Logger;

  constructor(readonly nc: NatsConnection, log?: Logger) {
    this.js = jetstream(nc);
    this.log = log ?? pino({ level: 'silent' });
  }

  /** Core NATS, fire and forget: the payload is validated first (a bad one throws here). */
  publish<S extends z.ZodType>(contract: EventContract<S>, payload: z.infer<S>, requestId?: string | null): void {
    const value = contract.schema.parse(payload);
    const headers = requestIdHeaders(requestId ?? undefined);
    this.nc.publish(contract.subjectFor(value), JSON.stringify(value), headers ? { headers } : undefined);
  }

  /** JetStream, de-duplicated by `msgID`; resolves once the stream stored it. */
  async publishDurable<S extends z.ZodType>(contract: EventContract<S>, payload: z.infer<S>, msgID: string, requestId?: string | null): Promise<void> {
    const value = contract.schema.parse(payload);
    const headers = requestIdHeaders(requestId ?? undefined);
    await this.js.publish(contract.subjectFor(value), JSON.stringify(value), headers ? { msgID, headers } : { msgID });
  }

  /**
   * Calls an RPC contract, naming the request it is made for (`requestId`, or the one being handled).
   * No responder → the contract's `noResponders` error (`rpc.no_responders`, unavailable, by default);
   * no answer in time → `timeout`; a remote AppError is rethrown as one.
   */
  async request<Req extends z.ZodType, Res extends z.ZodType>(
    rpc: RpcContract<Req, Res>, payload: z.infer<Req>, o: { timeoutMs?: number; requestId?: string } = {},
  ): Promise<z.infer<Res>> {
    const h = natsHeaders();
    const requestId = o.requestId ?? currentRequestId();
    if (requestId) h.set(REQUEST_ID_HEADER, requestId);
    let raw: { ok: boolean; data?: unknown; error?: RpcError };
    try {
      const m = await this.nc.request(rpc.subject, JSON.stringify(rpc.request.parse(payload)), { timeout: o.timeoutMs ?? 5000, headers: h });
      raw = m.json();
    } catch (e) {
      if (e instanceof TimeoutError) throw new AppError('timeout', 'rpc.timeout', `${rpc.subject} did not answer in time`);
      if (e instanceof RequestError && e.isNoResponders()) {
        const n = rpc.noResponders;
        throw n ? new AppError(n.kind as ErrorKind, n.code, n.message) : new AppError('unavailable', 'rpc.no_responders', `${rpc.subject} has no responders`);
      }
      throw e;
    }
    if (!raw.ok) throw new AppError((raw.error?.kind ?? 'internal') as ErrorKind, raw.error?.code ?? 'internal', raw.error?.message ?? 'remote error');
    return rpc.response.parse(raw.data);
  }

  /**
   * Answers an RPC contract in a queue group, so replicas share the load. The request is validated
   * on arrival; an AppError travels back with its kind and code, anything else as `internal`.
   * Requests are answered concurrently: a slow one (a long command) never holds up the next.
   */
  serve<Req extends z.ZodType, Res extends z.ZodType>(
    rpc: RpcContract<Req, Res>, o: { queue: string }, handler: (req: z.infer<Req>, ctx: MessageContext) => Promise<z.infer<Res>>,
  ): { stop(): void } {
    const answer = async (m: Msg) => {
      const ctx = this.context(m.subject, m.headers?.get(REQUEST_ID_HEADER));
      let reply: unknown;
      try {
        let body: unknown;
        try { body = m.json(); } catch { throw new AppError('invalid', 'rpc.invalid_request', 'request is not JSON'); }
        const req = rpc.request.safeParse(body);
        if (!req.success) throw new AppError('invalid', 'rpc.invalid_request', req.error.issues[0]?.message ?? 'invalid request');
        reply = { ok: true, data: rpc.response.parse(await withRequestId(ctx.requestId, () => handler(req.data, ctx))) };
      } catch (e) {
        const err: RpcError = e instanceof AppError
          ? { kind: e.kind, code: e.code, message: e.message }
          : isDatabaseUnavailable(e)
            ? { kind: 'unavailable', code: 'database.unavailable', message: 'database unavailable, try again' }
            : { kind: 'internal', code: 'internal', message: 'internal error' };
        if (!(e instanceof AppError)) ctx.log.error({ err: e }, 'rpc handler failed');
        reply = { ok: false, error: err };
      }
      m.respond(JSON.stringify(reply));
    };
    const sub = this.nc.subscribe(rpc.subject, { queue: o.queue, callback: (err, m) => { if (!err) void answer(m); } });
    return { stop: () => sub.unsubscribe() };
  }

  /**
   * Core NATS subscription to a contract's filter (every replica, or one per `queue`). A payload that
   * is not the contract's is logged and dropped; a handler failure is logged (core NATS has no redelivery).
   */
  subscribe<S extends z.ZodType>(contract: EventContract<S>, o: { queue?: string }, handler: EventHandler<S>): { stop(): void } {
    const sub = this.nc.subscribe(contract.filter, {
      ...(o.queue ? { queue: o.queue } : {}),
      callback: (err, m) => {
        if (err) return;
        const ctx = this.context(m.subject, m.headers?.get(REQUEST_ID_HEADER));
        const p = parsePayload(contract, () => m.json());
        if (!p.ok) { ctx.log.warn({ reason: p.reason }, 'invalid message dropped'); return; }
        void Promise.resolve()
          .then(() => withRequestId(ctx.requestId, () => handler(p.value, ctx)))
          .catch((e) => ctx.log.warn({ err: (e as Error).message }, 'message handler failed'));
      },
    });
    return { stop: () => sub.unsubscribe() };
  }

  /** Creates the stream or brings its subjects and limits up to date (kit/nats.ts). */
  ensureStream(def: StreamDefinition): Promise<void> {
    return ensureStream(this.nc, def);
  }

  /**
   * A durable JetStream consumer shared by the replicas, for these contracts. The consumer is created
   * or re-filtered (one filter taking every contract's subjects, old ones included), then each message
   * is dispatched to the contract whose subject it matches, one at a time:
   * - a message no contract takes (another event on the same stream) is acknowledged and skipped;
   * - a payload that is not the contract's is logged and terminated (never redelivered);
   * - the handler runs with the message's request id; success acks, a failure naks with the delay
   *   of `retry` for its delivery count (`DEFAULT_RETRY`).
   */
  async consumeDurable(
    stream: StreamDefinition, durable: string, handlers: readonly Handles[], o: ConsumeOptions,
  ): Promise<{ stop(): void; stopped: Promise<void> }> {
    if (handlers.length === 0) throw new Error(`consumeDurable ${durable}: no handlers`);
    const filter = commonFilter(handlers.flatMap((h) => contractFilters(h.contract)));
    await ensureDurableConsumer(this.nc, stream.name, durable, { filter, deliver: o.deliver, ackWaitMs: o.ackWaitMs ?? 30_000 });
    const consumer = await this.js.consumers.get(stream.name, durable);
    const messages = await consumer.consume({ max_messages: o.maxMessages ?? 100 });
    const retry = o.retry ?? DEFAULT_RETRY;
    const stopped = (async () => {
      for await (const m of messages) await this.dispatch(m, handlers, retry);
    })().catch((e) => this.log.error({ err: (e as Error).message, durable }, 'durable consumer stopped'));
    return { stop: () => { void messages.stop(); }, stopped };
  }

  private async dispatch(m: JsMsg, handlers: readonly Handles[], retry: RetryPolicy): Promise<void> {
    const h = handlers.find((x) => matchesContract(x.contract, m.subject));
    if (!h) { m.ack(); return; }
    const ctx = this.context(m.subject, m.headers?.get(REQUEST_ID_HEADER));
    const p = parsePayload(h.contract, () => m.json());
    if (!p.ok) {
      ctx.log.error({ stream_seq: m.seq, reason: p.reason, contract: h.contract.name }, 'invalid message terminated');
      m.term(); // bare: nats-server 2.9 ignores `+TERM <reason>`; the reason is logged above
      return;
    }
    try {
      await withRequestId(ctx.requestId, () => h.handler(p.value, ctx));
      m.ack();
    } catch (e) {
      const delay = retryDelay(m.info.deliveryCount, retry);
      ctx.log.warn({ err: (e as Error).message, attempt: m.info.deliveryCount, retry_ms: delay }, 'message handler failed; redelivering');
      m.nak(delay);
    }
  }

  private context(subj: string, rid: string | undefined): MessageContext {
    const requestId = rid || null;
    return { subject: subj, requestId, log: this.log.child({ subject: subj, ...(requestId ? { rid: requestId } : {}) }) };
  }
}
