import { headers as natsHeaders, type Msg, NatsConnection, RequestError, TimeoutError } from '@nats-io/transport-node';
import type { RpcContract, RpcError } from '@webxterm/contracts';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { AppError, ErrorKind, isDatabaseUnavailable } from './errors';
import { currentRequestId, REQUEST_ID_HEADER, withRequestId } from './request-context';

type Handler<Req extends z.ZodType, Res extends z.ZodType> = (req: z.infer<Req>, requestId: string | null) => Promise<z.infer<Res>>;

/**
 * Answers an RPC contract in a queue group, so replicas share the load. The request is validated
 * on arrival; an AppError travels back with its kind and code, anything else as `internal`.
 */
export function serveRpc<Req extends z.ZodType, Res extends z.ZodType>(
  nc: NatsConnection, rpc: RpcContract<Req, Res>, queue: string, log: Logger, handler: Handler<Req, Res>,
): { stop(): void } {
  const answer = async (m: Msg) => {
    const requestId = m.headers?.get(REQUEST_ID_HEADER) || null;
    let reply: unknown;
    try {
      let body: unknown;
      try { body = m.json(); } catch { throw new AppError('invalid', 'rpc.invalid_request', 'request is not JSON'); }
      const req = rpc.request.safeParse(body);
      if (!req.success) throw new AppError('invalid', 'rpc.invalid_request', req.error.issues[0]?.message ?? 'invalid request');
      reply = { ok: true, data: rpc.response.parse(await withRequestId(requestId, () => handler(req.data, requestId))) };
    } catch (e) {
      const err: RpcError = e instanceof AppError
        ? { kind: e.kind, code: e.code, message: e.message }
        : isDatabaseUnavailable(e)
          ? { kind: 'unavailable', code: 'database.unavailable', message: 'database unavailable, try again' }
          : { kind: 'internal', code: 'internal', message: 'internal error' };
      if (!(e instanceof AppError)) log.error({ err: e, subject: rpc.subject, rid: requestId }, 'rpc handler failed');
      reply = { ok: false, error: err };
    }
    m.respond(JSON.stringify(reply));
  };
  // Requests are answered concurrently: a slow one (a long command) never holds up the next.
  const sub = nc.subscribe(rpc.subject, { queue, callback: (err, m) => { if (!err) void answer(m); } });
  return { stop: () => sub.unsubscribe() };
}

/**
 * Calls an RPC contract, naming the request it is made for (`requestId`, or the one being handled).
 * No responder → `unavailable`; no answer in time → `timeout`; a remote AppError is rethrown as one. */
export async function callRpc<Req extends z.ZodType, Res extends z.ZodType>(
  nc: NatsConnection, rpc: RpcContract<Req, Res>, request: z.infer<Req>, o: { timeoutMs?: number; requestId?: string } = {},
): Promise<z.infer<Res>> {
  const h = natsHeaders();
  const requestId = o.requestId ?? currentRequestId();
  if (requestId) h.set(REQUEST_ID_HEADER, requestId);
  let raw: { ok: boolean; data?: unknown; error?: RpcError };
  try {
    const m = await nc.request(rpc.subject, JSON.stringify(rpc.request.parse(request)), { timeout: o.timeoutMs ?? 5000, headers: h });
    raw = m.json();
  } catch (e) {
    if (e instanceof TimeoutError) throw new AppError('timeout', 'rpc.timeout', `${rpc.subject} did not answer in time`);
    if (e instanceof RequestError && e.isNoResponders()) throw new AppError('unavailable', 'rpc.no_responders', `${rpc.subject} has no responders`);
    throw e;
  }
  if (!raw.ok) throw new AppError((raw.error?.kind ?? 'internal') as ErrorKind, raw.error?.code ?? 'internal', raw.error?.message ?? 'remote error');
  return rpc.response.parse(raw.data);
}
