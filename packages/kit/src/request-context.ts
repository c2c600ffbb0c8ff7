import { AsyncLocalStorage } from 'node:async_hooks';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

/** The header that names a request, over HTTP and on NATS messages sent while handling it. */
export const REQUEST_ID_HEADER = 'x-request-id';

const current = new AsyncLocalStorage<string>();

/** Runs `fn` as part of request `requestId`: RPCs and publishes made inside carry it. */
export function withRequestId<T>(requestId: string | null | undefined, fn: () => T): T {
  return requestId ? current.run(requestId, fn) : fn();
}

/** The id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore();
}

/** NATS headers naming `requestId` (the current request's by default), or undefined outside any request. */
export function requestIdHeaders(requestId: string | null | undefined = currentRequestId()): MsgHdrs | undefined {
  if (!requestId) return undefined;
  const h = natsHeaders();
  h.set(REQUEST_ID_HEADER, requestId);
  return h;
}
