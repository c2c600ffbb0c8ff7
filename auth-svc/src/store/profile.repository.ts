import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransaction, objectId } from '@webxterm/kit';
import type { CleanImage, ImageType } from '../domain/avatar-image';
import { withTenant } from './tenant-scope';

/** What the profile shows beyond the membership itself. */
export interface ProfileExtras { memberSince: Date; apiKeyCreatedAt: Date; avatarId: string | null }

export interface StoredAvatar { id: string; contentType: ImageType; data: Buffer; sha256: string }

/** The SQL of `/api/profile`: always for the caller's own membership. */
export class ProfileRepository {
  constructor(private readonly pool: Pool) {}

  async extras(userId: string): Promise<ProfileExtras | null> {
    const r = await this.pool.query(`
      SELECT m.created_at, m.api_key_created_at, a.id AS avatar_id
        FROM auth.memberships m LEFT JOIN auth.avatars a ON a.user_id = m.id
       WHERE m.id = $1 AND NOT m.pending`, [userId]);
    const x = r.rows[0];
    return x ? { memberSince: x.created_at, apiKeyCreatedAt: x.api_key_created_at, avatarId: x.avatar_id ?? null } : null;
  }

  /**
   * The membership's key becomes `hash`; every earlier key of the membership — its own and those
   * of its logins — stops working in the same transaction.
   */
  async replaceApiKey(userId: string, hash: string, prefix: string): Promise<Date> {
    return inTransaction(this.pool, async (c) => {
      const r = await c.query(
        'UPDATE auth.memberships SET api_key_hash = $2, api_key_prefix = $3, api_key_created_at = now() WHERE id = $1 RETURNING api_key_created_at',
        [userId, hash, prefix]);
      await c.query('DELETE FROM auth.login_api_keys WHERE user_id = $1', [userId]);
      return r.rows[0].api_key_created_at as Date;
    });
  }

  /** The membership's avatar becomes `img`, under a new id (so its URL changes). */
  async saveAvatar(organizationId: string, userId: string, img: CleanImage): Promise<string> {
    const id = objectId();
    const sha256 = createHash('sha256').update(img.data).digest('hex');
    await withTenant(this.pool, organizationId, (c) => c.query(`
      INSERT INTO auth.avatars (id, user_id, organization_id, content_type, data, sha256, width, height)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (user_id) DO UPDATE SET id = excluded.id, content_type = excluded.content_type, data = excluded.data,
        sha256 = excluded.sha256, width = excluded.width, height = excluded.height, created_at = now()`,
    [id, userId, organizationId, img.contentType, img.data, sha256, img.width, img.height]));
    return id;
  }

  /** An avatar of the organization `organizationId` (row-level security hides every other one). */
  async avatar(organizationId: string, id: string): Promise<StoredAvatar | null> {
    const r = await withTenant(this.pool, organizationId, (c) =>
      c.query('SELECT id, content_type, data, sha256 FROM auth.avatars WHERE id = $1', [id]));
    const x = r.rows[0];
    return x ? { id: x.id, contentType: x.content_type, data: x.data, sha256: x.sha256 } : null;
  }
}
