import { Router } from 'express';
import { AccessTokenVerifier } from '@webxterm/kit';
import type { DashboardService } from '../domain/dashboard.service';
import type { Machine, MachineStatus } from '../domain/model';
import { presentMachine } from './presenters';

/** /api/dashboard/*: statistics, the last active machines, the last command activities. */
export function dashboardRoutes(verifier: AccessTokenVerifier, dashboard: DashboardService, status: (m: Machine) => MachineStatus): Router {
  const r = Router();
  r.get('/api/dashboard/stats', async (req, res) => {
    const s = await dashboard.stats(await verifier.verifyRequest(req));
    res.json({
      machines: s.machines, total_machines: s.machines.total, online_machines: s.machines.online, offline_machines: s.machines.offline,
      pending_machines: s.machines.pending, active_sessions: s.activeSessions,
      commands_24h: s.commands.last24h, commands_7d: s.commands.last7d, users: s.users, groups: s.groups,
    });
  });
  r.get('/api/dashboard/recent-machines', async (req, res) => {
    const list = await dashboard.recentMachines(await verifier.verifyRequest(req));
    res.json({ machines: list.map((m) => presentMachine(m, status(m))) });
  });
  r.get('/api/dashboard/recent-activity', async (req, res) => {
    const list = await dashboard.recentActivity(await verifier.verifyRequest(req));
    res.json({
      activities: list.map((a) => ({
        id: a.id, source: a.source, session_id: a.sessionId, agent_id: a.agentId, machine_name: a.machineName, user_id: a.userId, username: a.username,
        command: a.command, exit_code: a.exitCode, duration_ms: a.durationMs, created_at: a.createdAt.toISOString(),
      })),
    });
  });
  return r;
}
