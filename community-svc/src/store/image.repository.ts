import { tenantScoped, type Pool, type Queryable } from '@webxterm/kit';
import type { ImageType, StoredImage } from '../domain/model';

function toImage(r: any): StoredImage {
  return { id: r.id, contentType: r.content_type, width: r.width, height: r.height, size: r.size, sha256: r.sha256, createdAt: r.created_at };
}

/** Uploaded images (table `community.images`), bytes kept in PostgreSQL so every replica serves every image. */
export class ImageRepository {
  constructor(private readonly root: Pool, private readonly pool: Queryable = root) {}

  /** The same queries limited to one organization by row-level security (one transaction per query). */
  forTenant(tenantId: string): ImageRepository {
    return new ImageRepository(this.root, tenantScoped(this.root, 'community_tenant', tenantId));
  }

  async create(i: Omit<StoredImage, 'createdAt'> & { tenantId: string; uploadedBy: string; data: Buffer }): Promise<StoredImage> {
    const r = await this.pool.query(
      `INSERT INTO community.images (id, tenant_id, uploaded_by, content_type, width, height, size, sha256, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, content_type, width, height, size, sha256, created_at`,
      [i.id, i.tenantId, i.uploadedBy, i.contentType, i.width, i.height, i.size, i.sha256, i.data]);
    return toImage(r.rows[0]);
  }

  async get(id: string): Promise<(StoredImage & { data: Buffer }) | null> {
    const r = await this.pool.query('SELECT * FROM community.images WHERE id = $1', [id]);
    return r.rows[0] ? { ...toImage(r.rows[0]), data: r.rows[0].data as Buffer, contentType: r.rows[0].content_type as ImageType } : null;
  }
}
