import type { MachineInfo } from '@webxterm/contracts';

export type MachineStatus = 'pending' | 'online' | 'offline';

export interface Machine {
  id: string;
  agentId: string;
  tenantId: string;
  name: string;
  createdBy: string;
  createdAt: Date;
  registeredAt: Date | null;
  info: Partial<MachineInfo>;
  connected: boolean;
  lastSeenAt: Date | null;
}

export interface CommandLog {
  id: string; agentId: string; userId: string; username: string; command: string; output: string;
  exitCode: number | null; durationMs: number; timedOut: boolean; truncated: boolean; createdAt: Date;
  /** `terminal`: typed in a session (no output of its own: the recording holds it, from `seq` / `offsetMs` on). */
  source?: 'api' | 'terminal'; sessionId?: string | null; cwd?: string | null; seq?: number | null; offsetMs?: number | null;
}

export interface Grant { userId: string; username: string | null; role: string; grantedBy: string; grantedAt: Date }

/** pending until the first connection; then online while a bridge keeps listing it. */
export function machineStatus(m: Machine, now: number, offlineAfterMs: number): MachineStatus {
  if (!m.registeredAt) return 'pending';
  if (m.connected && m.lastSeenAt && now - m.lastSeenAt.getTime() <= offlineAfterMs) return 'online';
  return 'offline';
}
