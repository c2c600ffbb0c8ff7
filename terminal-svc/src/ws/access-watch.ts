import type { WebSocket } from 'ws';
import { AccessChanged, AccessClaims } from '@webxterm/contracts';
import type { Logger, NatsConnection } from '@webxterm/kit';
import { sendJson } from './terminal-socket';

interface OpenSocket { ws: WebSocket; claims: AccessClaims; agentId: string; view: boolean }

/** Re-asks machine-svc whether `claims` may still use `agentId`; false when access is gone. */
export type AccessCheck = (claims: AccessClaims, agentId: string, view: boolean) => Promise<boolean>;

/**
 * The browser sockets this replica holds, by user. When machine-svc says someone's access changed
 * (a group, a grant, a removed user), each of their open terminals is checked again and closed
 * with a reason if it is no longer allowed. Every replica hears the event and checks its own.
 */
export class AccessWatch {
  private readonly open = new Set<OpenSocket>();

  constructor(private readonly check: AccessCheck, private readonly log: Logger) {}

  track(ws: WebSocket, claims: AccessClaims, agentId: string, view: boolean): void {
    const entry = { ws, claims, agentId, view };
    this.open.add(entry);
    ws.once('close', () => this.open.delete(entry));
  }

  get size(): number {
    return this.open.size;
  }

  subscribe(nc: NatsConnection): { stop(): void } {
    const sub = nc.subscribe(AccessChanged.filter);
    void (async () => {
      for await (const m of sub) {
        try {
          const e = AccessChanged.schema.parse(m.json());
          await this.recheck(e.tenant_id, e.user_ids);
        } catch (err) {
          this.log.warn({ err: (err as Error).message }, 'access change not applied');
        }
      }
    })();
    return { stop: () => sub.unsubscribe() };
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
