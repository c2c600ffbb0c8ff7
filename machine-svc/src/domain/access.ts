import { Actor, decide, Decision, MACHINE_ROLE_PERMISSIONS, MachineRole } from '@webxterm/contracts';
import type { Machine } from './model';

export type MachineAction = 'read' | 'terminal' | 'command' | 'watch' | 'manage';

/** What each action needs of a machine role (`MACHINE_ROLE_PERMISSIONS` in contracts). */
const NEEDS: Record<MachineAction, string> = {
  read: 'machine:read', watch: 'sessions:watch', terminal: 'terminal:open', command: 'commands:run', manage: 'access:grant',
};

/**
 * THE access check for one machine. Another organization's machine does not exist for the caller
 * (not_found); inside the organization, machine managers (company_admin) may do anything; anyone
 * else needs a machine role on it — a direct grant or a group — and without one the machine is
 * invisible to them too. The machine role decides: viewer reads and watches, operator also opens
 * terminals and runs commands, admin also grants access and deletes.
 */
export function machineAccess(actor: Actor, machine: Machine, action: MachineAction, role: MachineRole | null): Decision {
  const manage = decide(actor, 'machines:manage', machine.tenantId);
  if (manage !== 'forbidden') return manage;
  if (!role) return 'not_found';
  return MACHINE_ROLE_PERMISSIONS[role].includes(NEEDS[action]) ? 'allow' : 'forbidden';
}
