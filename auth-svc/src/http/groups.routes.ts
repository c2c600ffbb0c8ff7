import { Request, Router } from 'express';
import type { AccessTokenVerifier } from '@webxterm/kit';
import { parseInput } from '@webxterm/kit';
import type { GroupsService } from '../domain/groups.service';
import { directoryUserJson, groupJson } from './directory.presenters';
import { GroupBody, GroupUpdateBody, MachinesBody, MemberBody, ObjectIdParam } from './schemas';
import { auditCtx } from './users.routes';

/** Groups of document 000: CRUD, members, machines. */
export function groupRoutes(d: { verifier: AccessTokenVerifier; groups: GroupsService }): Router {
  const r = Router();
  const id = (req: Request) => parseInput(ObjectIdParam, req.params.id);
  const actor = (req: Request) => d.verifier.verifyRequest(req);

  r.get('/api/groups', async (req, res) => {
    res.json({ groups: (await d.groups.list(await actor(req))).map(groupJson) });
  });
  r.post('/api/groups', async (req, res) => {
    const a = await actor(req);
    res.status(201).json(groupJson(await d.groups.create(a, parseInput(GroupBody, req.body), auditCtx(req))));
  });
  r.get('/api/groups/:id', async (req, res) => {
    res.json(groupJson(await d.groups.get(await actor(req), id(req))));
  });
  r.put('/api/groups/:id', async (req, res) => {
    const a = await actor(req);
    res.json(groupJson(await d.groups.update(a, id(req), parseInput(GroupUpdateBody, req.body), auditCtx(req))));
  });
  r.delete('/api/groups/:id', async (req, res) => {
    await d.groups.remove(await actor(req), id(req), auditCtx(req));
    res.json({ message: 'Group deleted' });
  });

  r.get('/api/groups/:id/members', async (req, res) => {
    res.json({ members: (await d.groups.members(await actor(req), id(req))).map(directoryUserJson) });
  });
  r.post('/api/groups/:id/members', async (req, res) => {
    const a = await actor(req);
    const { user_id } = parseInput(MemberBody, req.body);
    res.json({ members: (await d.groups.addMember(a, id(req), user_id, auditCtx(req))).map(directoryUserJson) });
  });
  // The member to remove comes in the body (document 000 has no id in the path), or as ?user_id=.
  r.delete('/api/groups/:id/members', async (req, res) => {
    const a = await actor(req);
    const { user_id } = parseInput(MemberBody, { user_id: req.body?.user_id ?? req.query.user_id });
    res.json({ members: (await d.groups.removeMember(a, id(req), user_id, auditCtx(req))).map(directoryUserJson) });
  });

  r.get('/api/groups/:id/machines', async (req, res) => {
    res.json({ machine_ids: await d.groups.machinesOf(await actor(req), id(req)) });
  });
  r.post('/api/groups/:id/machines', async (req, res) => {
    const a = await actor(req);
    const body = parseInput(MachinesBody, req.body);
    res.json({ machine_ids: await d.groups.addMachines(a, id(req), body.machine_ids ?? [body.machine_id!], auditCtx(req)) });
  });
  r.delete('/api/groups/:id/machines/:machine_id', async (req, res) => {
    const a = await actor(req);
    res.json({ machine_ids: await d.groups.removeMachine(a, id(req), String(req.params.machine_id).slice(0, 100), auditCtx(req)) });
  });
  return r;
}
