import type { ClientSource, PortalRole } from '@webxterm/contracts';
import type { LoginSession, Membership, Organization, Person } from './model';

/** Where passwords live. Built-in (argon2id in PostgreSQL) today; Keycloak plugs in here. */
export interface CredentialStore {
  /** Hashes ahead of a transaction, so the slow part never holds a database lock. */
  prepare(password: string): Promise<string>;
  /** True when the password is right. Takes as long for an unknown person as for a known one. */
  verify(personId: string | null, password: string): Promise<boolean>;
  /** Replaces the person's password with one hashed by `prepare`. */
  replace(personId: string, preparedHash: string): Promise<void>;
}

export interface NewAccount {
  organization: { id: string; tenantId: string; name: string } | { existingId: string };
  person: Omit<Person, 'emailVerified' | 'keycloakId'>;
  /** The plain key: the repository keeps only its hash and prefix. */
  membership: { id: string; role: Membership['role']; apiKey: string };
  passwordHash: string;
}

export interface AccountRepository {
  createAccount(a: NewAccount): Promise<void>;
  tenantIdTaken(tenantId: string): Promise<boolean>;
  findPersonByEmail(email: string): Promise<Person | null>;
  findPersonByUsername(username: string): Promise<Person | null>;
  /** Oldest first, so "the first organization joined" is index 0. */
  membershipsOf(personId: string): Promise<Membership[]>;
  membershipById(userId: string): Promise<Membership | null>;
  /** By the membership's own key or a live login's key (both kept as hashes). */
  membershipByApiKey(apiKey: string): Promise<Membership | null>;
  /** A key that works while login `sid` lives, for membership `userId`. */
  addLoginApiKey(apiKey: string, userId: string, sid: string): Promise<void>;
  /** Marks every live login of the person revoked but `exceptSid`, and returns them. */
  revokeSessionsOfPerson(personId: string, exceptSid: string | null): Promise<LoginSession[]>;
  createSession(s: LoginSession & { clientIp: string | null }): Promise<void>;
  findSession(sid: string): Promise<(LoginSession & { revokedAt: Date | null }) | null>;
  extendSession(sid: string, expiresAt: Date): Promise<void>;
  markSessionRevoked(sid: string): Promise<LoginSession | null>;
  linkSessionUser(sid: string, userId: string): Promise<void>;
  /** Marks every live login of these memberships revoked and returns them. */
  revokeSessionsOfUsers(userIds: string[]): Promise<LoginSession[]>;
  /** Memberships of an organization, for revoking before it is deleted. */
  userIdsOfOrganization(organizationId: string): Promise<string[]>;
  /** People left in no organization (after one was deleted) are deleted too. */
  deleteOrphanPersons(): Promise<number>;
  findOrganizationByTenant(tenantId: string): Promise<Organization | null>;
  /** Whether the person is in the organization or invited to it. */
  isMemberOrInvited(personId: string, organizationId: string): Promise<boolean>;
  /** Memberships offered to this person and not accepted yet (memberships* above never include them). */
  invitationsOf(personId: string): Promise<Invitation[]>;
  /** The invitation becomes the person's membership; null when there is no such pending invitation of theirs. */
  acceptInvitation(personId: string, userId: string): Promise<Membership | null>;
  declineInvitation(personId: string, userId: string): Promise<{ tenantId: string } | null>;
}

/** An organization's invitation as the invited person sees it; `id` becomes their user_id there. */
export interface Invitation { id: string; role: PortalRole; tenantId: string; organizationName: string; invitedBy: string | null; createdAt: Date }

export interface PendingOtp { userId: string; sid: string; source: ClientSource }

export interface OtpStore {
  /** Stores a new code for `username`, replacing any earlier one. */
  issue(username: string, code: string, pending: PendingOtp, ttlSec: number): Promise<void>;
  /** One try. 'ok' consumes the code; the last allowed wrong try burns it. */
  attempt(username: string, code: string, maxAttempts: number): Promise<{ result: 'ok'; pending: PendingOtp } | { result: 'wrong' | 'burnt' | 'none' }>;
  discard(username: string): Promise<void>;
}

export interface RevocationList {
  revoke(sid: string, ttlSec: number): Promise<void>;
  isRevoked(sid: string): Promise<boolean>;
}

export interface Mailer {
  sendOtp(to: string, username: string, code: string, ttlMin: number): Promise<void>;
  /** Tells a person an organization invited them; they accept after logging in. */
  sendInvitation(to: string, username: string, organizationName: string, invitedBy: string): Promise<void>;
}

export type { ClientSource };

/**
 * Limits password guesses per account, whichever name the login used (email, username,
 * username@organization all name the same account). See docs/decisions.md, "Login limits".
 */
export interface LoginThrottle {
  /**
   * Admits one password check of `account` from `source` (a client IP), counting it before the
   * check so parallel guesses cannot overshoot; refuses with `Throttled` when that source has
   * failed too often for this account, or when the account is under attack and `source` has never
   * logged into it (slow-down).
   */
  admit(account: string, source: string): Promise<void>;
  /** The check failed: one more failure for the account as a whole. */
  failed(account: string, source: string): Promise<void>;
  /** The check succeeded: this source's count is cleared and the source becomes trusted for the account. */
  succeeded(account: string, source: string): Promise<void>;
}
