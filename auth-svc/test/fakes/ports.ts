import type { AuditInput, AuditSink } from '@webxterm/kit';
import type { z } from 'zod';
import type { EventContract } from '@webxterm/contracts';
import type { CredentialStore, DomainEvents, LoginThrottle, Mailer, OtpStore, PendingOtp, RevocationList } from '../../src/domain/ports';

/* In-memory fakes of auth-svc's other ports: each keeps what it was given, for assertions. */

/**
 * Passwords as `hash:<password>` (no argon2: a domain test has no cost to pay), in the credential
 * rows of `hashes` (MemoryStore's, which a signup writes).
 */
export class MemoryCredentials implements CredentialStore {
  constructor(private readonly hashes: () => Map<string, string>) {}
  async prepare(password: string) { return `hash:${password}`; }
  async verify(personId: string | null, password: string) { return personId !== null && this.hashes().get(personId) === `hash:${password}`; }
  async replace(personId: string, preparedHash: string) { this.hashes().set(personId, preparedHash); }
}

export class MemoryOtp implements OtpStore {
  readonly codes = new Map<string, { code: string; pending: PendingOtp; attempts: number }>();
  async issue(username: string, code: string, pending: PendingOtp) { this.codes.set(username, { code, pending, attempts: 0 }); }
  async attempt(username: string, code: string, maxAttempts: number) {
    const c = this.codes.get(username);
    if (!c) return { result: 'none' as const };
    c.attempts++;
    if (c.code === code) { this.codes.delete(username); return { result: 'ok' as const, pending: c.pending }; }
    if (c.attempts >= maxAttempts) { this.codes.delete(username); return { result: 'burnt' as const }; }
    return { result: 'wrong' as const };
  }
  async discard(username: string) { this.codes.delete(username); }
}

export class MemoryRevocations implements RevocationList {
  readonly revoked = new Map<string, number>();
  async revoke(sid: string, ttlSec: number) { this.revoked.set(sid, ttlSec); }
  async isRevoked(sid: string) { return this.revoked.has(sid); }
}

export class MemoryMailer implements Mailer {
  readonly otps: { to: string; username: string; code: string }[] = [];
  readonly invitations: { to: string; username: string; organizationName: string; invitedBy: string }[] = [];
  failing = false;
  async sendOtp(to: string, username: string, code: string) {
    if (this.failing) throw new Error('mail server down');
    this.otps.push({ to, username, code });
  }
  async sendInvitation(to: string, username: string, organizationName: string, invitedBy: string) {
    this.invitations.push({ to, username, organizationName, invitedBy });
  }
}

/** Admits everything and counts what it was told. */
export class CountingThrottle implements LoginThrottle {
  readonly calls: { kind: 'admit' | 'failed' | 'succeeded'; account: string; source: string }[] = [];
  async admit(account: string, source: string) { this.calls.push({ kind: 'admit', account, source }); }
  async failed(account: string, source: string) { this.calls.push({ kind: 'failed', account, source }); }
  async succeeded(account: string, source: string) { this.calls.push({ kind: 'succeeded', account, source }); }
}

export class MemoryAudit implements AuditSink {
  readonly events: AuditInput[] = [];
  record(e: AuditInput) { this.events.push(e); }
  actions(): string[] { return this.events.map((e) => `${e.action}:${e.result}`); }
}

export class MemoryEvents implements DomainEvents {
  readonly published: { contract: EventContract<z.ZodType>; payload: unknown }[] = [];
  async publish<S extends z.ZodType>(contract: EventContract<S>, payload: Omit<z.infer<S>, 'at'>) {
    this.published.push({ contract: contract as unknown as EventContract<z.ZodType>, payload });
  }
  of<S extends z.ZodType>(contract: EventContract<S>): unknown[] {
    return this.published.filter((p) => p.contract === (contract as unknown)).map((p) => p.payload);
  }
}
