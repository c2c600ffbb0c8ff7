import { decide, type Actor, type Decision } from '@webxterm/contracts';

/**
 * What a caller wants to do on their organization's board:
 * - `read`: list and read issues, fixes and images;
 * - `write`: open an issue, post a fix, like, upload an image;
 * - `own`: edit or delete an issue, accept a fix on it — its author, or a moderator.
 */
export type BoardAction = 'read' | 'write' | 'own';

/**
 * THE access check of the board (the policy lists are `community:*` in contracts' roles.ts).
 * Another organization's board does not exist for the caller (not_found); inside it, `user`s read
 * and write, and act on what they wrote; company_admins (`community:moderate`) on everything.
 */
export function boardAccess(actor: Actor, action: BoardAction, tenantId: string, authorId?: string): Decision {
  const read = decide(actor, 'community:read', tenantId);
  if (read !== 'allow' || action === 'read') return read;
  if (action === 'write') return decide(actor, 'community:write', tenantId);
  if (decide(actor, 'community:moderate', tenantId) === 'allow') return 'allow';
  return authorId === actor.user_id ? decide(actor, 'community:write', tenantId) : 'forbidden';
}
