import type { AuditEvent } from '@webxterm/contracts';
import { inTimestampRange } from '@webxterm/kit';
import { InvalidCursor } from './audit.errors';

/** A text filter: the value itself, or everything starting with it (written with a trailing `*`). */
export type TextMatch = { exact: string } | { prefix: string };

/** What `GET /api/audit` filters on; every field optional. */
export interface AuditFilters {
  /** user_id or username of the actor. */
  user?: string;
  action?: TextMatch;
  resource?: TextMatch;
  result?: AuditEvent['result'];
  /** ISO-8601; `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
}

/** Where the previous page ended: the last event's time (microseconds, UTC) and id. */
export interface PageCursor { at: string; id: string }

/** One stored event as the API shows it: the event, plus its place in the tenant's hash chain. */
export type StoredEvent = AuditEvent & { chain: { seq: number; prev_hash: string; hash: string } };

export interface AuditPage { events: StoredEvent[]; next_cursor: string | null }

/** `auth.*` → prefix `auth.`; `POST /api/users*` → prefix `POST /api/users`; anything else exact. */
export function textMatch(value: string): TextMatch {
  return value.endsWith('*') ? { prefix: value.slice(0, -1) } : { exact: value };
}

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque to clients: base64url of `[at, id]`. */
export function encodeCursor(c: PageCursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

export function decodeCursor(text: string): PageCursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' &&
        CURSOR_AT.test(v[0]) && inTimestampRange(v[0]) && UUID.test(v[1])) {
      return { at: v[0], id: v[1] };
    }
  } catch { /* fall through */ }
  throw InvalidCursor();
}
