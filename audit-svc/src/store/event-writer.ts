import type { AuditEvent } from '@webxterm/contracts';
import { inTransaction, type Pool, type PoolClient } from '@webxterm/kit';
import { chainHash } from '../domain/chain';

export interface AppendResult {
  /** Events newly stored (and linked into their tenant's chain). */
  stored: number;
  /** Events skipped because their id was already stored (a redelivery or a re-publish). */
  duplicates: number;
}

/**
 * Appends events to the store, each once, in one transaction per call.
 *
 * Order of work, and why it is safe with several replicas writing at once:
 *  1. the chain head of every tenant in the batch is created if missing, then locked with
 *     SELECT … FOR UPDATE in tenant order (one order for everyone, so no lock cycles);
 *  2. only then are the batch's ids looked up: any other transaction that stored one of them for
 *     the same tenant held the same head lock and has committed, so the lookup sees it;
 *  3. new events get seq = head.seq + 1, …, prev_hash and hash, and are inserted in one statement;
 *  4. the heads move to the last link. Commit, and only then may the caller ack the messages.
 * If an id was stored concurrently under another tenant's lock (the same id reused for a different
 * tenant), the insert conflicts, the whole transaction fails and the caller retries the batch.
 */
export class EventWriter {
  constructor(private readonly pool: Pool) {}

  async append(batch: readonly AuditEvent[]): Promise<AppendResult> {
    const events = uniqueById(batch);
    if (events.length === 0) return { stored: 0, duplicates: batch.length };
    const stored = await inTransaction(this.pool, (c) => this.appendIn(c, events), {
      // The writer stores every tenant's events: the '*' scope of the row-level security policies.
      setup: (c) => c.query("SELECT set_config('app.tenant_id', '*', true)"),
    });
    return { stored, duplicates: batch.length - stored };
  }

  private async appendIn(c: PoolClient, events: AuditEvent[]): Promise<number> {
    const tenants = [...new Set(events.map((e) => e.tenant_id))].sort();
    await c.query(
      `INSERT INTO audit.chain_heads (tenant_id)
       SELECT t FROM unnest($1::text[]) AS t ORDER BY t ON CONFLICT (tenant_id) DO NOTHING`, [tenants]);
    const heads = await c.query<{ tenant_id: string; seq: string; hash: string }>(
      `SELECT tenant_id, seq, hash FROM audit.chain_heads WHERE tenant_id = ANY($1::text[])
       ORDER BY tenant_id FOR UPDATE`, [tenants]);
    const existing = await c.query<{ id: string }>(
      'SELECT id::text AS id FROM audit.events WHERE id = ANY($1::uuid[])', [events.map((e) => e.id)]);
    const seen = new Set(existing.rows.map((r) => r.id));
    const fresh = events.filter((e) => !seen.has(e.id.toLowerCase()));
    if (fresh.length === 0) return 0;

    const tip = new Map(heads.rows.map((h) => [h.tenant_id, { seq: Number(h.seq), hash: h.hash, lastAt: '', lastMs: -Infinity }]));
    const rows = fresh.map((event) => {
      const head = tip.get(event.tenant_id)!;
      const link = { event, seq: head.seq + 1, prev_hash: head.hash, hash: chainHash(head.hash, event) };
      head.seq = link.seq;
      head.hash = link.hash;
      const ms = Date.parse(event.at);
      if (ms > head.lastMs) { head.lastMs = ms; head.lastAt = event.at; }
      return link;
    });
    const inserted = await c.query(
      `INSERT INTO audit.events (event, seq, prev_hash, hash)
       SELECT r.event, r.seq, r.prev_hash, r.hash
         FROM jsonb_to_recordset($1::jsonb) AS r(event jsonb, seq bigint, prev_hash text, hash text)
       ON CONFLICT (id) DO NOTHING`, [JSON.stringify(rows)]);
    if (inserted.rowCount !== rows.length) {
      throw new Error(`audit: ${rows.length - (inserted.rowCount ?? 0)} event ids were stored concurrently; retrying the batch`);
    }
    const moved = [...tip].filter(([, h]) => h.lastAt !== '');
    await c.query(
      `UPDATE audit.chain_heads h
          SET seq = u.seq, hash = u.hash, updated_at = now(),
              last_event_at = GREATEST(h.last_event_at, audit.utc_time(u.last_at))
         FROM jsonb_to_recordset($1::jsonb) AS u(tenant_id text, seq bigint, hash text, last_at text)
        WHERE h.tenant_id = u.tenant_id`,
      [JSON.stringify(moved.map(([tenant_id, h]) => ({ tenant_id, seq: h.seq, hash: h.hash, last_at: h.lastAt })))]);
    return rows.length;
  }
}

/** Drops repeated ids within one batch (first one wins); ids compare case-insensitively, as uuids do. */
function uniqueById(batch: readonly AuditEvent[]): AuditEvent[] {
  const seen = new Set<string>();
  return batch.filter((e) => {
    const id = e.id.toLowerCase();
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
