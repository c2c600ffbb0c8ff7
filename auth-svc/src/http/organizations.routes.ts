import { Request, Router } from 'express';
import type { AccessTokenVerifier } from '@webxterm/kit';
import { parseInput } from '@webxterm/kit';
import { z } from 'zod';
import type { OrganizationsService } from '../domain/organizations.service';
import { directoryUserJson, groupJson, organizationJson } from './directory.presenters';
import { CreateOrganizationBody, UpdateOrganizationBody } from './schemas';
import { auditCtx } from './users.routes';

const OrgParam = z.string().min(1).max(63);

/** Admin — Organizations (super_admin), and `/api/organization`: a company_admin's own organization. */
export function organizationRoutes(d: { verifier: AccessTokenVerifier; orgs: OrganizationsService }): Router {
  const r = Router();
  const id = (req: Request) => parseInput(OrgParam, req.params.id);
  const actor = (req: Request) => d.verifier.verifyRequest(req);

  r.get('/api/admin/organizations', async (req, res) => {
    res.json({ organizations: (await d.orgs.list(await actor(req))).map(organizationJson) });
  });
  r.post('/api/admin/organizations', async (req, res) => {
    const a = await actor(req);
    res.status(201).json(organizationJson(await d.orgs.create(a, parseInput(CreateOrganizationBody, req.body), auditCtx(req))));
  });
  r.get('/api/admin/organizations/:id', async (req, res) => {
    const a = await actor(req);
    d.orgs.superAdmin(a);
    res.json(organizationJson(await d.orgs.get(a, id(req))));
  });
  r.put('/api/admin/organizations/:id', async (req, res) => {
    const a = await actor(req);
    d.orgs.superAdmin(a);
    res.json(organizationJson(await d.orgs.update(a, id(req), parseInput(UpdateOrganizationBody, req.body), auditCtx(req))));
  });
  r.delete('/api/admin/organizations/:id', async (req, res) => {
    await d.orgs.remove(await actor(req), id(req), auditCtx(req));
    res.json({ message: 'Organization deleted' });
  });
  r.get('/api/admin/organizations/:id/stats', async (req, res) => {
    const a = await actor(req);
    d.orgs.superAdmin(a);
    res.json(await d.orgs.stats(a, id(req)));
  });
  r.get('/api/admin/organizations/:id/users', async (req, res) => {
    res.json({ users: (await d.orgs.users(await actor(req), id(req))).map(directoryUserJson) });
  });
  r.get('/api/admin/organizations/:id/groups', async (req, res) => {
    res.json({ groups: (await d.orgs.groups(await actor(req), id(req))).map(groupJson) });
  });

  r.get('/api/organization', async (req, res) => {
    const a = await actor(req);
    res.json(organizationJson(await d.orgs.get(a, a.tenant_id)));
  });
  r.put('/api/organization', async (req, res) => {
    const a = await actor(req);
    res.json(organizationJson(await d.orgs.update(a, a.tenant_id, parseInput(UpdateOrganizationBody, req.body), auditCtx(req))));
  });
  return r;
}
