import type { Actor } from '@webxterm/contracts';
import { machineAccess } from '../src/domain/access';
import type { Machine } from '../src/domain/model';
import { machineStatus } from '../src/domain/model';

const machine: Machine = {
  id: 'a'.repeat(24), agentId: 'ag_1234567890', tenantId: 'acme', name: 'box', createdBy: 'u0', createdAt: new Date(),
  registeredAt: new Date(), info: {}, connected: true, lastSeenAt: new Date(),
};
const admin: Actor = { user_id: 'u1', tenant_id: 'acme', role: 'company_admin' };
const user: Actor = { user_id: 'u2', tenant_id: 'acme', role: 'user' };
const stranger: Actor = { user_id: 'u3', tenant_id: 'other', role: 'company_admin' };
const superAdmin: Actor = { user_id: 'u4', tenant_id: 'platform', role: 'super_admin' };

describe('machineAccess: the one access check', () => {
  it.each([
    ['company_admin of the org', admin, 'manage', null, 'allow'],
    ['company_admin of another org', stranger, 'read', null, 'not_found'],
    ['super_admin anywhere', superAdmin, 'manage', null, 'allow'],
    ['user without a machine role', user, 'read', null, 'not_found'],
    ['viewer: read', user, 'read', 'viewer', 'allow'],
    ['viewer: watch others', user, 'watch', 'viewer', 'allow'],
    ['viewer: terminal', user, 'terminal', 'viewer', 'forbidden'],
    ['viewer: command', user, 'command', 'viewer', 'forbidden'],
    ['operator: terminal', user, 'terminal', 'operator', 'allow'],
    ['operator: command', user, 'command', 'operator', 'allow'],
    ['operator: manage', user, 'manage', 'operator', 'forbidden'],
    ['admin: manage (grant, delete)', user, 'manage', 'admin', 'allow'],
    ['a machine role in another org means nothing', { ...user, tenant_id: 'other' }, 'read', 'admin', 'not_found'],
  ] as const)('%s → %s', (_n, actor, action, role, expected) => {
    expect(machineAccess(actor, machine, action, role)).toBe(expected);
  });
});

describe('machineStatus', () => {
  const now = Date.now();
  it('pending until registered, online while seen, offline after the grace period', () => {
    expect(machineStatus({ ...machine, registeredAt: null }, now, 15_000)).toBe('pending');
    expect(machineStatus({ ...machine, lastSeenAt: new Date(now - 1000) }, now, 15_000)).toBe('online');
    expect(machineStatus({ ...machine, lastSeenAt: new Date(now - 20_000) }, now, 15_000)).toBe('offline');
    expect(machineStatus({ ...machine, connected: false }, now, 15_000)).toBe('offline');
  });
});
