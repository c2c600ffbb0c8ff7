import { randomUUID } from 'node:crypto';
import { type EventContract, LoginRevoked } from '@webxterm/contracts';
import type { Bus } from '@webxterm/kit';
import type { Logger } from 'pino';
import type { DomainEvents } from '../domain/ports';
import type { z } from 'zod';

/** Domain events to JetStream. A failure is logged and surfaced: the caller's change is already committed. */
export class JetStreamDomainEvents implements DomainEvents {
  constructor(private readonly bus: Bus, private readonly log: Logger) {}

  async publish<S extends z.ZodType>(contract: EventContract<S>, payload: Omit<z.infer<S>, 'at'>): Promise<void> {
    try {
      await this.bus.publishDurable(contract, { ...payload, at: new Date().toISOString() } as z.infer<S>, randomUUID());
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'domain event not published');
    }
  }
}

/** Core NATS: every terminal-svc replica closes the terminals of this login now. */
export function announceLoginRevoked(bus: Bus, sid: string): void {
  bus.publish(LoginRevoked, { sid, at: new Date().toISOString() });
}
