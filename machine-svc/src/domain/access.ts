import { Actor, decide, Decision } from '@webxterm/contracts';
import type { Machine } from './model';

export type MachineAction = 'read' | 'terminal' | 'command' | 'watch' | 'manage';

/**
 * THE access check for one machine. Another organization's machine does not exist for the caller
 * (not_found); inside the organization, machine managers (company_admin) may do anything, and
 * anyone else needs a grant on that machine — without one the machine is invisible to them too.
 * `grants` answers whether the actor holds a grant (a later issue adds grants through groups).
 */
export function machineAccess(actor: Actor, machine: Machine, action: MachineAction, hasGrant: boolean): Decision {
  const manage = decide(actor, 'machines:manage', machine.tenantId);
  if (manage !== 'forbidden') return manage;
  if (!hasGrant) return 'not_found';
  if (action === 'manage') return 'forbidden';
  const permission = action === 'terminal' ? 'terminal:open' : action === 'command' ? 'commands:run' : action === 'watch' ? 'sessions:watch' : 'machines:read';
  return decide(actor, permission, machine.tenantId);
}
