import type { Pool } from '@webxterm/kit';
import { PgUsersRepository } from './users.repository';

/** The username an organization shows for one of its memberships (an invitation's as typed), or null when the id is not one of its own. */
export async function organizationMember(pool: Pool, tenantId: string, userId: string): Promise<{ username: string } | null> {
  const u = await new PgUsersRepository(pool).get(userId);
  return u && u.tenantId === tenantId ? { username: u.username } : null;
}
