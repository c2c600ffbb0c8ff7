import { Request, Router } from 'express';
import type { AccessTokenVerifier } from '@webxterm/kit';
import { clientIp, parseInput } from '@webxterm/kit';
import type { InvitationsService } from '../domain/invitations.service';
import type { Invitation } from '../domain/model';
import type { UsersService } from '../domain/users.service';
import { directoryUserJson } from './directory.presenters';
import { userJson } from './presenters';
import { AssignRolesBody, CreateUserBody, ObjectIdParam, UpdateUserBody, UserListQuery } from './schemas';

export const auditCtx = (req: Request) => ({ client_ip: clientIp(req), request_id: req.id ?? null });

/** Users of document 000, scoped to the caller's organization. */
export function userRoutes(d: { verifier: AccessTokenVerifier; users: UsersService; invitations: InvitationsService }): Router {
  const r = Router();
  const id = (req: Request) => parseInput(ObjectIdParam, req.params.id);

  // The caller's own invitations to other organizations (docs/decisions.md, "Invitations").
  r.get('/api/users/me/invitations', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    res.json({ invitations: (await d.invitations.list(actor)).map(invitationJson) });
  });
  r.post('/api/users/me/invitations/:id/accept', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    const m = await d.invitations.accept(actor, id(req), auditCtx(req));
    res.json({ message: 'Invitation accepted: log in again to choose the organization', user_id: m.id, tenant_id: m.organization.tenantId });
  });
  r.delete('/api/users/me/invitations/:id', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    await d.invitations.decline(actor, id(req), auditCtx(req));
    res.json({ message: 'Invitation declined' });
  });

  r.get('/api/users/me', async (req, res) => {
    res.json(userJson(await d.users.me(await d.verifier.verifyRequest(req))));
  });

  r.get('/api/users', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    const q = parseInput(UserListQuery, req.query);
    res.json({ users: (await d.users.list(actor, q.tenant_id)).map(directoryUserJson) });
  });

  r.post('/api/users', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    const body = parseInput(CreateUserBody, req.body);
    res.status(201).json(directoryUserJson(await d.users.create(actor, body, auditCtx(req))));
  });

  r.get('/api/users/:id', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    res.json(directoryUserJson(await d.users.get(actor, id(req))));
  });

  r.put('/api/users/:id', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    const body = parseInput(UpdateUserBody, req.body);
    res.json(directoryUserJson(await d.users.update(actor, id(req), body, auditCtx(req))));
  });

  r.delete('/api/users/:id', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    await d.users.remove(actor, id(req), auditCtx(req));
    res.json({ message: 'User deleted' });
  });

  r.get('/api/users/:id/roles', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    const u = await d.users.get(actor, id(req));
    res.json({ user_id: u.id, roles: [u.role], role: u.role, machine_role: u.machineRole });
  });

  r.post('/api/users/:id/roles', async (req, res) => {
    const actor = await d.verifier.verifyRequest(req);
    const body = parseInput(AssignRolesBody, req.body);
    const u = await d.users.update(actor, id(req), { role: body.role ?? body.roles?.[0], machine_role: body.machine_role }, auditCtx(req));
    res.json({ user_id: u.id, roles: [u.role], role: u.role, machine_role: u.machineRole });
  });

  return r;
}

function invitationJson(i: Invitation) {
  return {
    id: i.id, tenant_id: i.tenantId, tenant_name: i.organizationName, role: i.role, invited_by: i.invitedBy, created_at: i.createdAt.toISOString(),
  };
}
