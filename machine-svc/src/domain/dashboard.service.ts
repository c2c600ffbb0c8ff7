import type { Actor } from '@webxterm/contracts';
import type { DashboardRepository, RecentActivity, Visibility } from '../store/dashboard.repository';
import type { MachineRepository } from '../store/machine.repository';
import type { Machine } from './model';

/** Figures the dashboard needs from other services: people and groups (auth-svc), open terminals (terminal-svc). */
export interface DashboardPorts {
  organizationCounts(tenantId: string): Promise<{ users: number; groups: number }>;
  activeSessions(tenantId: string, agentIds: string[] | null): Promise<number>;
}

/**
 * The dashboard of one person: every figure counts only what they may see — the machines granted
 * to a `user` (directly or through a group), the whole organization for an admin.
 */
export class DashboardService {
  constructor(
    private readonly repo: DashboardRepository,
    private readonly machines: MachineRepository,
    private readonly ports: DashboardPorts,
    private readonly offlineAfterMs: number,
  ) {}

  private visibility(actor: Actor): Visibility {
    return actor.role === 'user' ? { tenantId: actor.tenant_id, grantedTo: actor.user_id } : { tenantId: actor.tenant_id };
  }

  async stats(actor: Actor) {
    const v = this.visibility(actor);
    const [machines, people] = await Promise.all([
      this.repo.machineCounts(v, this.offlineAfterMs),
      actor.role === 'user' ? null : this.ports.organizationCounts(actor.tenant_id),
    ]);
    const { agentIds, ...counts } = machines;
    const commands = await this.repo.commandCounts(v, agentIds);
    const activeSessions = agentIds?.length === 0 ? 0 : await this.ports.activeSessions(actor.tenant_id, agentIds);
    return { machines: counts, activeSessions, commands, users: people?.users ?? null, groups: people?.groups ?? null };
  }

  async recentMachines(actor: Actor, limit = 5): Promise<Machine[]> {
    const ids = await this.repo.recentMachines(this.visibility(actor), limit);
    const scoped = this.machines.scoped(actor.tenant_id);
    return (await Promise.all(ids.map((id) => scoped.byAgentId(id)))).filter((m): m is Machine => m !== null);
  }

  recentActivity(actor: Actor, limit = 10): Promise<RecentActivity[]> {
    return this.repo.recentActivity(this.visibility(actor), limit);
  }
}
