import {
  AccessClaims, GroupDeleted, GroupMachinesChanged, GroupMembersChanged,
} from '@webxterm/contracts';
import { AuditInput, AuditSink, objectId } from '@webxterm/kit';
import { authorize, recordChange, scopeOf } from './access';
import { GroupNotFound, MachinesUnknown, OrganizationNotFound, UserNotFound } from './auth.errors';
import type { Group, OrgScope, UserRow } from './model';
import type { DomainEvents, Store } from './ports';

/** Asks machine-svc which ids are machines of an organization. */
export type MachineDirectory = (tenantId: string, machineIds: string[]) => Promise<string[]>;
type Ctx = Pick<AuditInput, 'client_ip' | 'request_id'>;

/**
 * Groups give their members access to their machines. Every change is published as the group's
 * whole current member or machine set, so machine-svc's projection only has to replace it.
 */
export class GroupsService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditSink,
    private readonly events: DomainEvents,
    private readonly machines: MachineDirectory,
  ) {}

  async list(actor: AccessClaims): Promise<Group[]> {
    authorize(actor, 'groups:read', actor.tenant_id, OrganizationNotFound);
    const { scope, organizationId } = await scopeOf(this.store.unscoped, actor);
    return this.store.inScope(scope, (tx) => tx.groups.list(organizationId));
  }

  async get(actor: AccessClaims, groupId: string): Promise<Group> {
    const g = await this.load(actor, groupId);
    authorize(actor, 'groups:read', g.tenantId, GroupNotFound);
    return g;
  }

  async create(actor: AccessClaims, input: { name: string; description?: string }, ctx: Ctx): Promise<Group> {
    authorize(actor, 'groups:manage', actor.tenant_id, OrganizationNotFound);
    const { scope, organizationId } = await scopeOf(this.store.unscoped, actor);
    const id = objectId();
    const g = await this.store.inScope(scope, async (tx) => {
      await tx.groups.insert({ id, organizationId, name: input.name, description: input.description ?? '' });
      return (await tx.groups.get(id))!;
    });
    this.record(actor, ctx, 'groups.create', g);
    return g;
  }

  async update(actor: AccessClaims, groupId: string, changes: { name?: string; description?: string }, ctx: Ctx): Promise<Group> {
    await this.manageable(actor, groupId);
    const updated = await this.store.inScope(await this.scope(actor), async (tx) => {
      await tx.groups.update(groupId, changes);
      return (await tx.groups.get(groupId))!;
    });
    this.record(actor, ctx, 'groups.update', updated);
    return updated;
  }

  async remove(actor: AccessClaims, groupId: string, ctx: Ctx): Promise<void> {
    const g = await this.manageable(actor, groupId);
    await this.store.inScope(await this.scope(actor), (tx) => tx.groups.remove(groupId));
    await this.events.publish(GroupDeleted, { tenant_id: g.tenantId, group_id: g.id });
    this.record(actor, ctx, 'groups.delete', g);
  }

  async members(actor: AccessClaims, groupId: string): Promise<UserRow[]> {
    const g = await this.get(actor, groupId);
    return this.store.inScope(await this.scope(actor), (tx) => tx.users.listOfGroup(g.id));
  }

  async addMember(actor: AccessClaims, groupId: string, userId: string, ctx: Ctx): Promise<UserRow[]> {
    const g = await this.manageable(actor, groupId);
    const members = await this.store.inScope(await this.scope(actor), async (tx) => {
      const user = await tx.users.get(userId);
      if (!user || user.organizationId !== g.organizationId) throw UserNotFound();
      await tx.groups.addMember(g, userId);
      return tx.users.listOfGroup(g.id);
    });
    await this.membersChanged(g, members);
    this.record(actor, ctx, 'groups.members.add', g, { details: { user_id: userId } });
    return members;
  }

  async removeMember(actor: AccessClaims, groupId: string, userId: string, ctx: Ctx): Promise<UserRow[]> {
    const g = await this.manageable(actor, groupId);
    const members = await this.store.inScope(await this.scope(actor), async (tx) => {
      if (!(await tx.groups.removeMember(g.id, userId))) throw UserNotFound();
      return tx.users.listOfGroup(g.id);
    });
    await this.membersChanged(g, members);
    this.record(actor, ctx, 'groups.members.remove', g, { details: { user_id: userId } });
    return members;
  }

  async machinesOf(actor: AccessClaims, groupId: string): Promise<string[]> {
    const g = await this.get(actor, groupId);
    return this.store.inScope(await this.scope(actor), (tx) => tx.groups.machines(g.id));
  }

  /** Only machines of the group's own organization can join it; machine-svc says which those are. */
  async addMachines(actor: AccessClaims, groupId: string, machineIds: string[], ctx: Ctx): Promise<string[]> {
    const g = await this.manageable(actor, groupId);
    const wanted = [...new Set(machineIds)];
    const known = new Set(await this.machines(g.tenantId, wanted));
    const unknown = wanted.filter((id) => !known.has(id));
    if (unknown.length) throw MachinesUnknown(unknown);
    const all = await this.store.inScope(await this.scope(actor), async (tx) => {
      await tx.groups.addMachines(g, wanted);
      return tx.groups.machines(g.id);
    });
    await this.events.publish(GroupMachinesChanged, { tenant_id: g.tenantId, group_id: g.id, machine_ids: all });
    this.record(actor, ctx, 'groups.machines.add', g, { details: { machine_ids: wanted } });
    return all;
  }

  async removeMachine(actor: AccessClaims, groupId: string, machineId: string, ctx: Ctx): Promise<string[]> {
    const g = await this.manageable(actor, groupId);
    const all = await this.store.inScope(await this.scope(actor), async (tx) => {
      if (!(await tx.groups.removeMachine(g.id, machineId))) throw MachinesUnknown([machineId]);
      return tx.groups.machines(g.id);
    });
    await this.events.publish(GroupMachinesChanged, { tenant_id: g.tenantId, group_id: g.id, machine_ids: all });
    this.record(actor, ctx, 'groups.machines.remove', g, { details: { machine_id: machineId } });
    return all;
  }

  /**
   * Access follows machine-svc's projection of these events, not the `groups` claim, which is
   * informational and catches up at the next token; so a change needs no logout.
   */
  private async membersChanged(g: Group, members: UserRow[]): Promise<void> {
    await this.events.publish(GroupMembersChanged, { tenant_id: g.tenantId, group_id: g.id, user_ids: members.map((m) => m.id) });
  }

  private async manageable(actor: AccessClaims, groupId: string): Promise<Group> {
    const g = await this.load(actor, groupId);
    authorize(actor, 'groups:manage', g.tenantId, GroupNotFound);
    return g;
  }

  private async scope(actor: AccessClaims): Promise<OrgScope> {
    return (await scopeOf(this.store.unscoped, actor)).scope;
  }

  private async load(actor: AccessClaims, groupId: string): Promise<Group> {
    const g = await this.store.inScope(await this.scope(actor), (tx) => tx.groups.get(groupId));
    if (!g) throw GroupNotFound();
    return g;
  }

  private record(actor: AccessClaims, ctx: Ctx, action: string, g: Group, extra: Partial<AuditInput> = {}) {
    recordChange(this.audit, actor, ctx, action, g.tenantId, `group:${g.id}`, extra);
  }
}
