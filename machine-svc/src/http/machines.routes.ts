import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AccessClaims } from '@webxterm/contracts';
import { AccessTokenVerifier, OBJECT_ID, parseInput } from '@webxterm/kit';
import type { MachineService } from '../domain/machine.service';
import { MachineNotFound } from '../domain/machine.errors';
import { presentGrant, presentLog, presentMachine } from './presenters';

const CreateMachine = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  linux_user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/).default('ubuntu'),
});
const RunCommand = z.object({
  command: z.string().min(1).max(64 * 1024).refine((c) => !c.includes('\0'), 'command must not contain a NUL byte'),
  timeout: z.coerce.number().int().min(1).max(600).optional(),
});
const Page = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  q: z.string().max(500).optional(),
});
/** People are ObjectIDs in auth-svc: anything else cannot name one (and never reaches the store). */
const UserRef = z.object({ user_id: z.string().regex(OBJECT_ID, 'Not a valid id'), username: z.string().max(100).optional() });
const GrantBody = UserRef.extend({ role: z.enum(['viewer', 'operator', 'admin'], { error: 'Must be one of viewer, operator, admin' }).optional() });

export interface MachineRoutesDeps { verifier: AccessTokenVerifier; machines: MachineService; grpcAddress: string; grpcTls: boolean }

/** /api/machines/*, /api/sessions/:id and the public /api/agent/bootstrap. */
export function machineRoutes({ verifier, machines, grpcAddress, grpcTls }: MachineRoutesDeps): Router {
  const r = Router();
  const actor = async (req: Request): Promise<AccessClaims> => verifier.verifyRequest(req);
  const present = (m: Parameters<typeof presentMachine>[0]) => presentMachine(m, machines.status(m));

  r.get('/api/agent/bootstrap', (_req, res) => { res.json({ grpc_address: grpcAddress, grpc_tls: grpcTls }); });

  r.get('/api/machines', async (req, res) => {
    const list = await machines.list(await actor(req));
    res.json({ machines: list.map(present), total: list.length });
  });
  r.post('/api/machines', async (req, res) => {
    const a = await actor(req);
    const body = parseInput(CreateMachine, req.body);
    const { machine, registrationToken, command } = await machines.create(a, body.name, body.linux_user);
    res.status(201).json({ ...present(machine), registration_token: registrationToken, command });
  });
  r.get('/api/machines/by-id/:machine_id', async (req, res) => {
    if (!OBJECT_ID.test(req.params.machine_id)) throw MachineNotFound();
    res.json(present(await machines.authorizeById(await actor(req), req.params.machine_id, 'read')));
  });
  r.get('/api/machines/:agent_id', async (req, res) => {
    res.json(present(await machines.authorize(await actor(req), req.params.agent_id, 'read')));
  });
  r.delete('/api/machines/:agent_id', async (req, res) => {
    await machines.remove(await actor(req), req.params.agent_id);
    res.json({ message: 'Machine deleted' });
  });
  r.post('/api/machines/:agent_id/command', async (req, res) => {
    const a = await actor(req);
    const body = parseInput(RunCommand, req.body);
    const log = await machines.runCommand(a, req.params.agent_id, body.command, body.timeout && body.timeout * 1000);
    res.json({ ...presentLog(log), duration: log.durationMs / 1000 });
  });
  const logs = (search: boolean) => async (req: Request, res: import('express').Response) => {
    const p = parseInput(Page, req.query);
    if (search && !p.q) return void res.status(400).json({ error: 'q: Required' });
    const r2 = await machines.logs(await actor(req), String(req.params.agent_id), { limit: p.limit, offset: (p.page - 1) * p.limit, query: search ? p.q : undefined });
    res.json({ logs: r2.items.map(presentLog), total: r2.total, page: p.page, limit: p.limit });
  };
  r.get('/api/machines/:agent_id/logs', logs(false));
  r.get('/api/machines/:agent_id/logs/search', logs(true));
  r.get('/api/machines/:agent_id/sessions', async (req, res) => {
    res.json({ sessions: await machines.sessionsOf(await actor(req), req.params.agent_id, false) });
  });
  r.get('/api/machines/:agent_id/sessions/active', async (req, res) => {
    res.json({ sessions: await machines.sessionsOf(await actor(req), req.params.agent_id, true) });
  });
  r.get('/api/machines/:agent_id/access/users', async (req, res) => {
    res.json({ users: (await machines.accessUsers(await actor(req), req.params.agent_id)).map(presentGrant) });
  });
  r.post('/api/machines/:agent_id/access/grant', async (req, res) => {
    const body = parseInput(GrantBody, req.body);
    await machines.grant(await actor(req), req.params.agent_id, body.user_id, body.role);
    res.json({ message: 'Access granted' });
  });
  r.post('/api/machines/:agent_id/access/revoke', async (req, res) => {
    const body = parseInput(UserRef, req.body);
    const removed = await machines.revoke(await actor(req), req.params.agent_id, body.user_id);
    if (!removed) return void res.status(404).json({ error: 'No such grant' });
    res.json({ message: 'Access revoked' });
  });
  r.get('/api/sessions/:session_id', async (req, res) => {
    const { session, commands } = await machines.sessionWithCommands(await actor(req), req.params.session_id);
    res.json({ session, commands: commands.map(presentLog) });
  });
  return r;
}
