import { randomUUID } from 'node:crypto';
import { type EventContract, LoginRevoked } from '@webxterm/contracts';
import { JetStreamClient, NatsConnection, publishDurable } from '@webxterm/kit';
import type { Logger } from 'pino';
import type { z } from 'zod';

export interface DomainEvents {
  publish<S extends z.ZodType>(contract: EventContract<S>, payload: Omit<z.infer<S>, 'at'>): Promise<void>;
}

/** Domain events to JetStream. A failure is logged and surfaced: the caller's change is already committed. */
export class JetStreamDomainEvents implements DomainEvents {
  constructor(private readonly js: JetStreamClient, private readonly log: Logger) {}

  async publish<S extends z.ZodType>(contract: EventContract<S>, payload: Omit<z.infer<S>, 'at'>): Promise<void> {
    try {
      await publishDurable(this.js, contract, { ...payload, at: new Date().toISOString() } as z.infer<S>, randomUUID());
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'domain event not published');
    }
  }
}

/** Core NATS: every terminal-svc replica closes the terminals of this login now. */
export function announceLoginRevoked(nc: NatsConnection, sid: string): void {
  const e = LoginRevoked.schema.parse({ sid, at: new Date().toISOString() });
  nc.publish(LoginRevoked.subjectFor(e), JSON.stringify(e));
}
