import { z } from 'zod';
import { platformSubject } from './subjects';

/** A failure as it crosses the wire: the kind maps to an HTTP status (kit), the code names it. */
export const RpcError = z.object({ code: z.string(), message: z.string(), kind: z.string() });
export type RpcError = z.infer<typeof RpcError>;

/**
 * A request/reply contract over core NATS: one subject, the request and reply schemas. Replies are
 * `{ ok: true, data }` or `{ ok: false, error: { code, message } }`, so a failure crosses the wire
 * with its code intact.
 */
export interface RpcContract<Req extends z.ZodType, Res extends z.ZodType> {
  subject: string;
  request: Req;
  response: Res;
  /** What "no responders" means for this contract; `rpc.no_responders` (unavailable) when absent. */
  noResponders?: RpcError;
}

/** An RPC of the platform layout: `<domain>.v1.rpc.<name>`. */
export function defineRpc<Req extends z.ZodType, Res extends z.ZodType>(c: {
  domain: string; name: string; request: Req; response: Res;
}): RpcContract<Req, Res> {
  return { subject: platformSubject(c.domain, 'rpc', c.name), request: c.request, response: c.response };
}
