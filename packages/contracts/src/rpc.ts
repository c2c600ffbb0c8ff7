import { z } from 'zod';

/**
 * A request/reply contract over core NATS: one subject, the request and reply schemas. Replies are
 * `{ ok: true, data }` or `{ ok: false, error: { code, message } }`, so a failure crosses the wire
 * with its code intact.
 */
export interface RpcContract<Req extends z.ZodType, Res extends z.ZodType> {
  subject: string;
  request: Req;
  response: Res;
}

export function defineRpc<Req extends z.ZodType, Res extends z.ZodType>(c: RpcContract<Req, Res>): RpcContract<Req, Res> {
  return c;
}

export const RpcError = z.object({ code: z.string(), message: z.string(), kind: z.string() });
export type RpcError = z.infer<typeof RpcError>;
