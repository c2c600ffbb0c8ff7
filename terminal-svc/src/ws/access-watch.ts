import type { WebSocket } from 'ws';
import { AccessChanged, AccessClaims, LoginRevoked } from '@webxterm/contracts';
import type { Bus, Logger } from '@webxterm/kit';
import { sendJson } from './terminal-socket';

interface OpenSocket { ws: WebSocket; claims: AccessClaims; agentId: string; view: boolean }

/** Re-asks machine-svc whether `claims` may still use `agentId`; false when access is gone. */
export type AccessCheck = (claims: AccessClaims, agentId: string, view: boolean) => Promise<boolean>;
/** Which of these logins (sids) were revoked. */
export type RevokedLogins = (sids: string[]) => Promise<Set<string>>;

/**
 * The browser sockets this replica holds, by user. When machine-svc says someone's access changed
 * (a group, a grant, a removed user), each of their open terminals is checked again and closed
 * with a reason if it is no longer allowed. Every replica hears the event and checks its own.
 * A terminal also lives no longer than the login that opened it: a revoked login (logout, removal,
 * role change, deleted organization) closes it at once, and a sweep catches an announcement missed
 * while NATS was away.
 */
export class AccessWatch {
  private readonly open = new Set<OpenSocket>();

  constructor(private readonly check: AccessCheck, private readonly revoked: RevokedLogins, private readonly log: Logger) {}

  track(ws: WebSocket, claims: AccessClaims, agentId: string, view: boolean): void {
    const entry = { ws, claims, agentId, view };
    this.open.add(entry);
    ws.once('close', () => this.open.delete(entry));
  }

  get size(): number {
    return this.open.size;
  }

  subscribe(bus: Bus): { stop(): void } {
    const changes = bus.subscribe(AccessChanged, {}, (e) => this.recheck(e.tenant_id, e.user_ids)
      .catch((err: Error) => this.log.warn({ err: err.message }, 'access change not applied')));
    const logins = bus.subscribe(LoginRevoked, {}, (e) => { this.closeLogins(new Set([e.sid])); });
    return { stop: () => { changes.stop(); logins.stop(); } };
  }

  /** Closes the terminals of revoked logins; run every few seconds. */
  async sweep(): Promise<number> {
    if (!this.open.size) return 0;
    return this.closeLogins(await this.revoked([...new Set([...this.open].map((s) => s.claims.sid))]));
  }

  private closeLogins(sids: Set<string>): number {
    let closed = 0;
    for (const s of this.open) {
      if (!sids.has(s.claims.sid)) continue;
      closed++;
      this.open.delete(s);
      sendJson(s.ws, { type: 'error', error: 'Your login ended: log in again to reopen the terminal' });
      s.ws.close(4401, 'login ended');
    }
    return closed;
  }

  async recheck(tenantId: string, userIds: string[] | null): Promise<number> {
    const affected = [...this.open].filter((s) => s.claims.tenant_id === tenantId && (userIds === null || userIds.includes(s.claims.user_id)));
    let closed = 0;
    await Promise.all(affected.map(async (s) => {
      const allowed = await this.check(s.claims, s.agentId, s.view).catch(() => false);
      if (allowed) return;
      closed++;
      sendJson(s.ws, { type: 'error', error: 'Access to this machine was revoked' });
      s.ws.close(4403, 'access revoked');
    }));
    return closed;
  }
}
