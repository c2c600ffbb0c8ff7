import type { Pool } from '@webxterm/kit';
import { PgOrganizationsRepository } from './organizations.repository';

/** People and groups of one organization, by its tenant id. */
export function organizationCounts(pool: Pool, tenantId: string): Promise<{ users: number; groups: number }> {
  return new PgOrganizationsRepository(pool).counts(tenantId);
}
