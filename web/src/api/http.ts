import { getSession, setSession } from '../auth/session';

/** A failed API call: the HTTP status (0 = the server could not be reached) and the answer's `error`. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }

  /** The endpoint is not there (yet): 404 on a route, 501, or 503 "not available". */
  get unavailable(): boolean {
    return this.status === 404 || this.status === 501 || this.status === 503;
  }
}

type Json = Record<string, unknown> | unknown[];

export interface RequestOptions {
  method?: string;
  body?: Json;
  signal?: AbortSignal;
  /** Send no token (public auth endpoints). */
  anonymous?: boolean;
}

/** Fired when the server refuses the token (expired or revoked): the app goes back to sign-in. */
export const SESSION_EXPIRED = 'webxterm:session-expired';

/** Words a person understands for a status the server did not explain. */
export function describeStatus(status: number): string {
  if (status === 0) return 'The server cannot be reached. Check your connection and try again.';
  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403) return 'You are not allowed to do this.';
  if (status === 404) return 'Not found, or you have no access to it.';
  if (status === 409) return 'This already exists.';
  if (status === 413) return 'This is too large.';
  if (status === 429) return 'Too many attempts. Wait a minute and try again.';
  if (status === 503) return 'This service is not available right now.';
  if (status === 504) return 'The machine did not answer in time.';
  return `Something went wrong (HTTP ${status}).`;
}

export function authHeaders(): Record<string, string> {
  const s = getSession();
  return s ? { authorization: `Bearer ${s.token}` } : {};
}

/** One JSON call to the API; throws ApiError with the server's own message when it gives one. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.anonymous ? {} : authHeaders()) };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      credentials: 'same-origin',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, describeStatus(0));
  }
  const text = await res.text();
  let data: unknown = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) {
    if (res.status === 401 && !opts.anonymous && getSession()) {
      setSession(null);
      window.dispatchEvent(new Event(SESSION_EXPIRED));
    }
    const msg = data && typeof data === 'object' && 'error' in data && typeof (data as { error: unknown }).error === 'string'
      ? (data as { error: string }).error : describeStatus(res.status);
    throw new ApiError(res.status, msg);
  }
  return data as T;
}

/** A query string from defined values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
