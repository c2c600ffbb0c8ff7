/** What kind of failure; the only thing HTTP status mapping looks at. */
export type ErrorKind =
  | 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict'
  | 'too_large' | 'rate_limited' | 'unavailable' | 'timeout' | 'internal';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409,
  too_large: 413, rate_limited: 429, internal: 500, unavailable: 503, timeout: 504,
};

/** A failure a caller may see. `code` is stable (e.g. `auth.invalid_credentials`); `message` is for people. */
export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    /** For `rate_limited`: seconds until a retry may succeed, sent as `Retry-After`. */
    readonly retryAfterSec?: number,
  ) {
    super(message);
  }
}

export function httpStatus(kind: ErrorKind): number {
  return STATUS[kind];
}

/**
 * PostgreSQL went away under the request (a restart, a failover) or cannot take connections yet:
 * the request may succeed if tried again, so it is a 503, not a 500. Class 08 is a connection
 * exception; 57P01–57P03 are admin shutdown, crash shutdown and "cannot connect now"; a refused or
 * reset connection (to it, or to any other backend) is the same kind of failure.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNREFUSED' || code === 'ECONNRESET') return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable/.test(message);
}
