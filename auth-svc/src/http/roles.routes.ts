import { Router } from 'express';
import {
  MACHINE_ROLE_DESCRIPTIONS, MACHINE_ROLE_PERMISSIONS, MACHINE_ROLES, PORTAL_ROLES, ROLE_DESCRIPTIONS, ROLE_PERMISSIONS, roleNumber,
} from '@webxterm/contracts';
import type { AccessTokenVerifier } from '@webxterm/kit';
import { authorize } from '../domain/access';
import { OrganizationNotFound } from '../domain/auth.errors';

const portal = () => PORTAL_ROLES.map((name) => ({
  name, level: roleNumber(name), scope: 'portal', description: ROLE_DESCRIPTIONS[name], permissions: [...ROLE_PERMISSIONS[name]],
}));
const machine = () => MACHINE_ROLES.map((name, i) => ({
  name, level: i + 1, scope: 'machine', description: MACHINE_ROLE_DESCRIPTIONS[name], permissions: [...MACHINE_ROLE_PERMISSIONS[name]],
}));

/** The roles and what each may do, read from the same tables the checks use. */
export function roleRoutes(d: { verifier: AccessTokenVerifier }): Router {
  const r = Router();
  const guard = async (req: Parameters<AccessTokenVerifier['verifyRequest']>[0]) => {
    const a = await d.verifier.verifyRequest(req);
    authorize(a, 'roles:read', a.tenant_id, OrganizationNotFound);
  };
  r.get('/api/roles', async (req, res) => { await guard(req); res.json({ roles: [...portal(), ...machine()] }); });
  r.get('/api/roles/portal', async (req, res) => { await guard(req); res.json({ roles: portal() }); });
  r.get('/api/roles/machine', async (req, res) => { await guard(req); res.json({ roles: machine() }); });
  return r;
}
