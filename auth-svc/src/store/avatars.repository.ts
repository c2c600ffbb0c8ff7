import { createHash } from 'node:crypto';
import { objectId, type Queryable } from '@webxterm/kit';
import type { CleanImage } from '../domain/avatar-image';
import type { AvatarsRepository, StoredAvatar } from '../domain/ports';

export class PgAvatarsRepository implements AvatarsRepository {
  constructor(private readonly db: Queryable) {}

  async save(organizationId: string, userId: string, img: CleanImage): Promise<string> {
    const id = objectId();
    const sha256 = createHash('sha256').update(img.data).digest('hex');
    await this.db.query(`
      INSERT INTO auth.avatars (id, user_id, organization_id, content_type, data, sha256, width, height)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (user_id) DO UPDATE SET id = excluded.id, content_type = excluded.content_type, data = excluded.data,
        sha256 = excluded.sha256, width = excluded.width, height = excluded.height, created_at = now()`,
    [id, userId, organizationId, img.contentType, img.data, sha256, img.width, img.height]);
    return id;
  }

  async get(id: string): Promise<StoredAvatar | null> {
    const r = await this.db.query('SELECT id, content_type, data, sha256 FROM auth.avatars WHERE id = $1', [id]);
    const x = r.rows[0];
    return x ? { id: x.id, contentType: x.content_type, data: x.data, sha256: x.sha256 } : null;
  }
}
