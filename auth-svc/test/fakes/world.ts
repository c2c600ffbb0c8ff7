import type { AccessClaims } from '@webxterm/contracts';
import { AvatarImages } from '../../src/domain/avatar-image';
import { DirectLoginService } from '../../src/domain/direct-login.service';
import { GroupsService } from '../../src/domain/groups.service';
import { InvitationsService } from '../../src/domain/invitations.service';
import { LoginService } from '../../src/domain/login.service';
import type { RequestContext } from '../../src/domain/model';
import { OrganizationsService } from '../../src/domain/organizations.service';
import { ProfileService } from '../../src/domain/profile.service';
import { Sessions } from '../../src/domain/sessions';
import { SignupService } from '../../src/domain/signup.service';
import { TokenIssuer } from '../../src/domain/token-issuer';
import { UsersService } from '../../src/domain/users.service';
import { MemoryStore } from './memory-store';
import { CountingThrottle, MemoryAudit, MemoryCredentials, MemoryEvents, MemoryMailer, MemoryOtp, MemoryRevocations } from './ports';

export const SECRET = 'domain-test-secret-domain-test-secret-00';
export const CTX: RequestContext = { clientIp: '203.0.113.7', userAgent: 'vsay-cli/1.0', requestId: 'r1', source: 'cli' };
export const AUDIT_CTX = { client_ip: '203.0.113.7', request_id: 'r1' };

/**
 * auth-svc's services wired as main.ts wires them, on in-memory fakes of every port: a domain test
 * runs in milliseconds, with no PostgreSQL, Redis or NATS. `machines` answers for machine-svc.
 */
export function domainWorld(o: { machines?: (tenantId: string, ids: string[]) => Promise<string[]> } = {}) {
  const store = new MemoryStore();
  const credentials = new MemoryCredentials(() => store.t.credentials);
  const audit = new MemoryAudit();
  const events = new MemoryEvents();
  const mailer = new MemoryMailer();
  const otp = new MemoryOtp();
  const revocations = new MemoryRevocations();
  const throttle = new CountingThrottle();
  const tokens = new TokenIssuer(SECRET);
  const sessions = new Sessions(store, revocations, tokens, audit, 30);
  const login = new LoginService(store, credentials, sessions, otp, mailer, audit, { ttlMin: 5, maxAttempts: 3 }, throttle);
  const signup = new SignupService(store, credentials, audit);
  const direct = new DirectLoginService(store, login, sessions);
  const invited: { to: string; username: string; organizationName: string; invitedBy: string }[] = [];
  const users = new UsersService(store, credentials, sessions, audit, events, (i) => invited.push(i));
  const groups = new GroupsService(store, audit, events, o.machines ?? (async () => []));
  const orgs = new OrganizationsService(store, sessions, audit, events);
  const invitations = new InvitationsService(store, audit);
  const profile = new ProfileService(store, credentials, sessions, throttle, new AvatarImages({ maxPixels: 1_000_000, maxSide: 64, concurrency: 1 }), audit);

  /** A new organization and its company_admin, with the claims a token of theirs would carry. */
  async function admin(name: string) {
    const input = {
      username: name, email: `${name}@example.com`, password: 'correct horse battery', first_name: 'Ada', last_name: 'L',
      organization_name: `${name} org`, company_name: `${name} Ltd`,
    };
    const r = await signup.signup(input, CTX);
    return { ...input, ...r, claims: await claimsOf(r.userId) };
  }

  /** What a token minted for membership `userId` says. */
  async function claimsOf(userId: string): Promise<AccessClaims> {
    const m = (await store.unscoped.users.membership(userId))!;
    return tokens.access(m, tokens.newSid(), 'cli').claims;
  }

  return { store, credentials, audit, events, mailer, otp, revocations, throttle, tokens, sessions, login, signup, direct, users, groups, orgs, invitations, profile, invited, admin, claimsOf };
}
