import type { AuditEvent } from '@webxterm/contracts';
import type { Pool } from 'pg';
import { inTenantScope, type TenantScope } from '@webxterm/kit';
import type { AuditScope } from '../domain/access';
import { BrokenLink, ChainLink, ChainVerifier } from '../domain/chain';
import { AuditFilters, AuditPage, encodeCursor, PageCursor, StoredEvent, TextMatch } from '../domain/query';

export interface TenantSummary { tenant_id: string; events: number; last_event_at: string | null }
export interface ChainReport { tenant_id: string; ok: boolean; checked: number; first_broken: BrokenLink | null }

/** Links read per query while verifying, so a long chain is walked in bounded memory. */
const VERIFY_PAGE = 2000;

/**
 * Every read made for a caller runs read-only as the `audit_reader` role, with row-level security
 * limited to `scope` (a tenant id, or '*' for every tenant).
 */
export const readerScope = (scope: AuditScope, isolation?: TenantScope['isolation']): TenantScope =>
  ({ role: 'audit_reader', tenant: scope, readOnly: true, isolation });

/** Reads for the HTTP API: pages of events, tenant summaries, chain verification. */
export class EventReader {
  constructor(private readonly pool: Pool) {}

  /** Newest first by (at, id); `limit` events after `cursor`, and the cursor of the next page. */
  async page(scope: AuditScope, f: AuditFilters, limit: number, cursor: PageCursor | null): Promise<AuditPage> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    // Row-level security already limits the rows to `scope`; saying it again lets the planner use
    // the (tenant_id, at, id) index.
    if (scope !== '*') where.push(`tenant_id = ${arg(scope)}`);
    if (f.user !== undefined) where.push(`(actor_user_id = ${arg(f.user)} OR actor_username = ${arg(f.user)})`);
    if (f.action) where.push(matchSql('action', f.action, arg));
    if (f.resource) where.push(matchSql('resource', f.resource, arg));
    if (f.result) where.push(`result = ${arg(f.result)}`);
    if (f.from) where.push(`at >= ${arg(f.from)}::timestamptz`);
    if (f.to) where.push(`at < ${arg(f.to)}::timestamptz`);
    if (cursor) where.push(`(at, id) < (${arg(cursor.at)}::timestamptz, ${arg(cursor.id)}::uuid)`);
    const sql = `
      SELECT event, seq, prev_hash, hash, id::text AS id,
             to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key
        FROM audit.events
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY at DESC, id DESC
       LIMIT ${arg(limit + 1)}`;
    const { rows } = await inTenantScope(this.pool, readerScope(scope), (c) => c.query(sql, args));
    const more = rows.length > limit;
    const pageRows = more ? rows.slice(0, limit) : rows;
    const last = pageRows[pageRows.length - 1];
    return {
      events: pageRows.map(toStoredEvent),
      next_cursor: more && last ? encodeCursor({ at: last.at_key, id: last.id }) : null,
    };
  }

  /** The tenants in `scope` that have events, with their counts (a chain's length is its count). */
  async tenants(scope: AuditScope): Promise<TenantSummary[]> {
    const { rows } = await inTenantScope(this.pool, readerScope(scope), (c) => c.query(
      `SELECT tenant_id, seq, last_event_at FROM audit.chain_heads
        WHERE seq > 0 ${scope === '*' ? '' : 'AND tenant_id = $1'} ORDER BY tenant_id`, scope === '*' ? [] : [scope]));
    return rows.map((r) => ({
      tenant_id: r.tenant_id, events: Number(r.seq),
      last_event_at: r.last_event_at ? (r.last_event_at as Date).toISOString() : null,
    }));
  }

  /** Re-computes `tenant`'s chain from its first link to its head, in one consistent snapshot. */
  async verify(tenant: string): Promise<ChainReport> {
    return inTenantScope(this.pool, readerScope(tenant, 'REPEATABLE READ'), async (c) => {
      const head = await c.query<{ seq: string; hash: string }>(
        'SELECT seq, hash FROM audit.chain_heads WHERE tenant_id = $1', [tenant]);
      const verifier = new ChainVerifier();
      let after = 0;
      for (;;) {
        const { rows } = await c.query(
          `SELECT seq, id::text AS id, prev_hash, hash, event FROM audit.events
            WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [tenant, after, VERIFY_PAGE]);
        const links: ChainLink[] = rows.map((r) => ({ ...r, seq: Number(r.seq) }));
        if (!verifier.add(links) || links.length < VERIFY_PAGE) break;
        after = links[links.length - 1].seq;
      }
      const h = head.rows[0];
      const broken = verifier.finish(h ? { seq: Number(h.seq), hash: h.hash } : null);
      return { tenant_id: tenant, ok: broken === null, checked: verifier.checked, first_broken: broken };
    });
  }
}

function matchSql(column: string, m: TextMatch, arg: (v: unknown) => string): string {
  if ('exact' in m) return `${column} = ${arg(m.exact)}`;
  return `${column} LIKE ${arg(`${m.prefix.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`)}`;
}

function toStoredEvent(r: { event: AuditEvent; seq: string; prev_hash: string; hash: string }): StoredEvent {
  return { ...r.event, chain: { seq: Number(r.seq), prev_hash: r.prev_hash, hash: r.hash } };
}
