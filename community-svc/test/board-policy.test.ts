import type { Actor } from '@webxterm/contracts';
import { boardAccess } from '../src/domain/board.policy';

const user: Actor = { user_id: 'u1', tenant_id: 'acme', role: 'user' };
const admin: Actor = { user_id: 'u2', tenant_id: 'acme', role: 'company_admin' };
const stranger: Actor = { user_id: 'u3', tenant_id: 'other', role: 'company_admin' };
const root: Actor = { user_id: 'u4', tenant_id: 'platform', role: 'super_admin' };

describe('boardAccess: the one access check of the board', () => {
  it.each([
    ['a user reads their board', user, 'read', undefined, 'allow'],
    ['a user writes on it', user, 'write', undefined, 'allow'],
    ['a user acts on what they wrote', user, 'own', 'u1', 'allow'],
    ['a user may not act on what another wrote', user, 'own', 'u9', 'forbidden'],
    ['a company_admin moderates everything of the org', admin, 'own', 'u9', 'allow'],
    ['a super_admin moderates too', root, 'own', 'u9', 'allow'],
  ] as const)('%s → %s', (_n, actor, action, author, expected) => {
    expect(boardAccess(actor, action, 'acme', author)).toBe(expected);
  });

  it.each(['read', 'write', 'own'] as const)('another organization’s board does not exist (%s → not_found)', (action) => {
    expect(boardAccess(stranger, action, 'acme', 'u3')).toBe('not_found');
  });
});
