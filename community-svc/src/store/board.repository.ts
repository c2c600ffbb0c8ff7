import { inTenantScope, inTransaction, type Pool, type PoolClient } from '@webxterm/kit';
import type { Author, Fix, Issue, IssueFilter, IssueStatus, Page } from '../domain/model';

const ISSUE_COLUMNS = `i.id, i.tenant_id, i.title, i.body, i.tags, i.status, i.author_id, i.author_username, i.accepted_fix_id,
  i.created_at, i.updated_at, i.solved_at, (SELECT count(*) FROM community.fixes f WHERE f.issue_id = i.id)::int AS fixes_count`;

function toIssue(r: any): Issue {
  return {
    id: r.id, tenantId: r.tenant_id, title: r.title, body: r.body, tags: r.tags, status: r.status,
    author: { userId: r.author_id, username: r.author_username }, acceptedFixId: r.accepted_fix_id, fixesCount: r.fixes_count,
    createdAt: r.created_at, updatedAt: r.updated_at, solvedAt: r.solved_at,
  };
}

const fixColumns = (me: string) => `f.id, f.issue_id, f.body, f.author_id, f.author_username, f.created_at,
  (SELECT count(*) FROM community.fix_likes l WHERE l.fix_id = f.id)::int AS likes,
  EXISTS (SELECT 1 FROM community.fix_likes l WHERE l.fix_id = f.id AND l.user_id = ${me}) AS liked_by_me,
  COALESCE(i.accepted_fix_id = f.id, false) AS accepted`;

function toFix(r: any): Fix {
  return {
    id: r.id, issueId: r.issue_id, body: r.body, author: { userId: r.author_id, username: r.author_username },
    likes: r.likes, likedByMe: r.liked_by_me, accepted: r.accepted, createdAt: r.created_at,
  };
}

const ORDER: Record<IssueFilter['sort'], string> = {
  newest: 'i.created_at DESC, i.id DESC', oldest: 'i.created_at ASC, i.id ASC', updated: 'i.updated_at DESC, i.id DESC',
};

export interface IssuePatch { title?: string; body?: string; tags?: string[]; status?: IssueStatus }

/** The SQL of the board (schema `community`). Callers' queries go through `forTenant`. */
export class BoardRepository {
  constructor(private readonly pool: Pool) {}

  /** The board of one organization: every query runs as community_tenant limited to it (migration 0001). */
  forTenant(tenantId: string): TenantBoard {
    return new TenantBoard(this.pool, tenantId);
  }

  /** An organization was deleted: its board goes with it (fixes and likes by cascade). */
  async removeTenant(tenantId: string): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM community.issues WHERE tenant_id = $1', [tenantId]);
      await c.query('DELETE FROM community.images WHERE tenant_id = $1', [tenantId]);
    });
  }
}

export class TenantBoard {
  constructor(private readonly pool: Pool, readonly tenantId: string) {}

  /** One transaction as community_tenant with app.tenant_id set: row-level security limits it to this organization. */
  tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTenantScope(this.pool, { role: 'community_tenant', tenant: this.tenantId }, fn);
  }

  createIssue(i: { id: string; title: string; body: string; tags: string[]; author: Author }): Promise<Issue> {
    return this.tx(async (c) => {
      await c.query(
        `INSERT INTO community.issues (id, tenant_id, title, body, tags, author_id, author_username) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [i.id, this.tenantId, i.title, i.body, i.tags, i.author.userId, i.author.username]);
      return (await this.issueIn(c, i.id))!;
    });
  }

  issue(id: string): Promise<Issue | null> {
    return this.tx((c) => this.issueIn(c, id));
  }

  private async issueIn(c: PoolClient, id: string): Promise<Issue | null> {
    const r = await c.query(`SELECT ${ISSUE_COLUMNS} FROM community.issues i WHERE i.id = $1`, [id]);
    return r.rows[0] ? toIssue(r.rows[0]) : null;
  }

  listIssues(f: IssueFilter): Promise<Page<Issue>> {
    const where = ['i.tenant_id = $1'];
    const args: unknown[] = [this.tenantId];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (f.status) where.push(`i.status = ${arg(f.status)}`);
    if (f.tags?.length) where.push(`i.tags @> ${arg(f.tags)}::text[]`);
    if (f.authorId) where.push(`i.author_id = ${arg(f.authorId)}`);
    let order = ORDER[f.sort];
    if (f.q) {
      const q = arg(f.q);
      where.push(`i.search @@ websearch_to_tsquery('english', ${q})`);
      order = `ts_rank(i.search, websearch_to_tsquery('english', ${q})) DESC, ${order}`;
    }
    const sql = `FROM community.issues i WHERE ${where.join(' AND ')}`;
    return this.tx(async (c) => {
      const total = Number((await c.query(`SELECT count(*) AS n ${sql}`, args)).rows[0].n);
      const rows = await c.query(`SELECT ${ISSUE_COLUMNS} ${sql} ORDER BY ${order} LIMIT ${arg(f.limit)} OFFSET ${arg(f.offset)}`, args);
      return { items: rows.rows.map(toIssue), total };
    });
  }

  /** Applies the fields given; reopening clears the accepted fix. Null when the issue is gone. */
  updateIssue(id: string, p: IssuePatch): Promise<Issue | null> {
    const sets = ['updated_at = now()'];
    const args: unknown[] = [id];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (p.title !== undefined) sets.push(`title = ${arg(p.title)}`);
    if (p.body !== undefined) sets.push(`body = ${arg(p.body)}`);
    if (p.tags !== undefined) sets.push(`tags = ${arg(p.tags)}::text[]`);
    if (p.status === 'open') sets.push(`status = 'open', accepted_fix_id = NULL, solved_at = NULL`);
    if (p.status === 'solved') sets.push(`status = 'solved', solved_at = COALESCE(solved_at, now())`);
    return this.tx(async (c) => {
      const r = await c.query(`UPDATE community.issues SET ${sets.join(', ')} WHERE id = $1`, args);
      return r.rowCount ? this.issueIn(c, id) : null;
    });
  }

  async deleteIssue(id: string): Promise<boolean> {
    return this.tx(async (c) => ((await c.query('DELETE FROM community.issues WHERE id = $1', [id])).rowCount ?? 0) > 0);
  }

  /** Fixes of an issue: the accepted one first, then the most liked, then the oldest. */
  fixes(issueId: string, me: string, page: { limit: number; offset: number }): Promise<Page<Fix>> {
    return this.tx(async (c) => {
      const total = Number((await c.query('SELECT count(*) AS n FROM community.fixes WHERE issue_id = $1', [issueId])).rows[0].n);
      const r = await c.query(
        `SELECT ${fixColumns('$2')} FROM community.fixes f JOIN community.issues i ON i.id = f.issue_id WHERE f.issue_id = $1
         ORDER BY accepted DESC, likes DESC, f.created_at ASC, f.id ASC LIMIT $3 OFFSET $4`, [issueId, me, page.limit, page.offset]);
      return { items: r.rows.map(toFix), total };
    });
  }

  fix(issueId: string, fixId: string, me: string): Promise<Fix | null> {
    return this.tx((c) => this.fixIn(c, issueId, fixId, me));
  }

  private async fixIn(c: PoolClient, issueId: string, fixId: string, me: string): Promise<Fix | null> {
    const r = await c.query(
      `SELECT ${fixColumns('$3')} FROM community.fixes f JOIN community.issues i ON i.id = f.issue_id WHERE f.id = $1 AND f.issue_id = $2`,
      [fixId, issueId, me]);
    return r.rows[0] ? toFix(r.rows[0]) : null;
  }

  /** Null when the issue does not exist (any more). */
  createFix(f: { id: string; issueId: string; body: string; author: Author }): Promise<Fix | null> {
    return this.tx(async (c) => {
      const r = await c.query(
        `INSERT INTO community.fixes (id, tenant_id, issue_id, body, author_id, author_username)
         SELECT $1, tenant_id, id, $3, $4, $5 FROM community.issues WHERE id = $2`,
        [f.id, f.issueId, f.body, f.author.userId, f.author.username]);
      if (!r.rowCount) return null;
      await c.query('UPDATE community.issues SET updated_at = now() WHERE id = $1', [f.issueId]);
      return this.fixIn(c, f.issueId, f.id, f.author.userId);
    });
  }

  /**
   * One like per person per fix: the primary key (fix_id, user_id) turns a second insert — even a
   * concurrent one, which waits for the first to commit — into nothing. Null when the fix is gone.
   */
  like(issueId: string, fixId: string, userId: string): Promise<Fix | null> {
    return this.tx(async (c) => {
      await c.query(
        `INSERT INTO community.fix_likes (fix_id, user_id, tenant_id)
         SELECT id, $3, tenant_id FROM community.fixes WHERE id = $1 AND issue_id = $2 ON CONFLICT DO NOTHING`, [fixId, issueId, userId]);
      return this.fixIn(c, issueId, fixId, userId);
    });
  }

  unlike(issueId: string, fixId: string, userId: string): Promise<Fix | null> {
    return this.tx(async (c) => {
      await c.query('DELETE FROM community.fix_likes WHERE fix_id = $1 AND user_id = $2', [fixId, userId]);
      return this.fixIn(c, issueId, fixId, userId);
    });
  }

  /** The fix becomes the issue's answer and the issue is solved; null when either is gone. */
  accept(issueId: string, fixId: string): Promise<Issue | null> {
    return this.tx(async (c) => {
      const r = await c.query(
        `UPDATE community.issues i SET accepted_fix_id = f.id, status = 'solved', solved_at = now(), updated_at = now()
         FROM community.fixes f WHERE i.id = $1 AND f.id = $2 AND f.issue_id = i.id`, [issueId, fixId]);
      return r.rowCount ? this.issueIn(c, issueId) : null;
    });
  }
}
