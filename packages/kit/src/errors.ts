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
