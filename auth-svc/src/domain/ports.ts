import type { ClientSource, EventContract, PortalRole } from '@webxterm/contracts';
import type { z } from 'zod';
import type { CleanImage, ImageType } from './avatar-image';
import type { Group, Invitation, LoginSession, Membership, Organization, OrgScope, Person, UserRow } from './model';

/** Where passwords live. Built-in (argon2id in PostgreSQL) today; Keycloak plugs in here. */
export interface CredentialStore {
  /** Hashes ahead of a transaction, so the slow part never holds a database lock. */
  prepare(password: string): Promise<string>;
  /** True when the password is right. Takes as long for an unknown person as for a known one. */
  verify(personId: string | null, password: string): Promise<boolean>;
  /** Replaces the person's password with one hashed by `prepare`. */
  replace(personId: string, preparedHash: string): Promise<void>;
}

/** A person new to the platform, with the hash `CredentialStore.prepare` made of their password. */
export interface NewPerson { id: string; email: string; username: string; firstName: string; lastName: string }

/** A new membership; `apiKey` is the plain key (only its hash and prefix are kept). */
export interface NewMembership {
  id: string; personId: string; organizationId: string; role: PortalRole; machineRole: string; apiKey: string;
  /** Set for an invitation: pending until the person accepts it (migration 0003). */
  invited?: { username: string; firstName: string; lastName: string; by: string };
}

/** auth.persons (with the built-in credential row written beside a new person). */
export interface PersonsRepository {
  byEmail(email: string): Promise<Person | null>;
  byUsername(username: string): Promise<Person | null>;
  insert(p: NewPerson, passwordHash: string): Promise<void>;
  updateNames(personId: string, f: { firstName?: string; lastName?: string }): Promise<void>;
  /** People left in no organization (after one was deleted, or a user removed) are deleted too. */
  deleteOrphans(): Promise<number>;
}

/** auth.memberships: the users of organizations. The one place their rows are read. */
export interface UsersRepository {
  /** Every user (invitations included) of one organization, or of every organization in scope (null). */
  list(organizationId: string | null): Promise<UserRow[]>;
  listOfGroup(groupId: string): Promise<UserRow[]>;
  get(userId: string): Promise<UserRow | null>;
  /** An accepted membership (never an invitation). */
  membership(userId: string): Promise<Membership | null>;
  /** A person's accepted memberships, oldest first, so "the first organization joined" is index 0. */
  membershipsOf(personId: string): Promise<Membership[]>;
  /** By the membership's own key or a live login's key (both kept as hashes). */
  membershipByApiKey(apiKey: string): Promise<Membership | null>;
  /** Whether the person is in the organization or invited to it. */
  isMemberOrInvited(personId: string, organizationId: string): Promise<boolean>;
  idsOfOrganization(organizationId: string): Promise<string[]>;
  insert(m: NewMembership): Promise<void>;
  /** The names an organization shows for a person it invited (they keep their own). */
  updateInvitedNames(userId: string, f: { firstName?: string; lastName?: string }): Promise<void>;
  updateRoles(userId: string, f: { role?: PortalRole; machineRole?: string }): Promise<void>;
  remove(userId: string): Promise<void>;
  /** What the profile shows beyond the membership itself. */
  profileExtras(userId: string): Promise<ProfileExtras | null>;
}

export interface ProfileExtras { memberSince: Date; apiKeyCreatedAt: Date; avatarId: string | null }

/** Pending memberships, from the invited person's side. */
export interface InvitationsRepository {
  /** Invitations to this person not accepted yet (UsersRepository's memberships never include them). */
  of(personId: string): Promise<Invitation[]>;
  /** The invitation becomes an ordinary membership; false when there is no such pending invitation of theirs. */
  accept(personId: string, userId: string): Promise<boolean>;
  decline(personId: string, userId: string): Promise<{ tenantId: string } | null>;
}

/** auth.organizations. */
export interface OrganizationsRepository {
  list(): Promise<Organization[]>;
  /** By ObjectID or by tenant id. */
  get(idOrTenant: string): Promise<Organization | null>;
  byTenant(tenantId: string): Promise<Organization | null>;
  insert(o: { id: string; tenantId: string; name: string; otpEnabled: boolean }): Promise<void>;
  update(id: string, f: { name?: string; otpEnabled?: boolean }): Promise<void>;
  remove(id: string): Promise<void>;
  stats(id: string): Promise<OrganizationStats>;
  /** Users and groups of the organization named by `tenantId` (zeros when there is none). */
  counts(tenantId: string): Promise<{ users: number; groups: number }>;
}

export interface OrganizationStats { users: number; admins: number; groups: number; grouped_machines: number }

/** auth.groups with their members and machines. */
export interface GroupsRepository {
  list(organizationId: string | null): Promise<Group[]>;
  get(groupId: string): Promise<Group | null>;
  insert(g: { id: string; organizationId: string; name: string; description: string }): Promise<void>;
  update(groupId: string, f: { name?: string; description?: string }): Promise<void>;
  remove(groupId: string): Promise<void>;
  addMember(g: Group, userId: string): Promise<void>;
  removeMember(groupId: string, userId: string): Promise<boolean>;
  machines(groupId: string): Promise<string[]>;
  addMachines(g: Group, machineIds: string[]): Promise<void>;
  removeMachine(groupId: string, machineId: string): Promise<boolean>;
}

/** auth.sessions: one row per login (its sid), and which memberships it minted tokens for. */
export interface LoginSessionsRepository {
  create(s: LoginSession & { clientIp: string | null }): Promise<void>;
  get(sid: string): Promise<(LoginSession & { revokedAt: Date | null }) | null>;
  extend(sid: string, expiresAt: Date): Promise<void>;
  markRevoked(sid: string): Promise<LoginSession | null>;
  linkUser(sid: string, userId: string): Promise<void>;
  /** Marks every live login of these memberships revoked and returns them. */
  revokeOfUsers(userIds: string[]): Promise<LoginSession[]>;
  /** Marks every live login of the person revoked but `exceptSid`, and returns them. */
  revokeOfPerson(personId: string, exceptSid: string | null): Promise<LoginSession[]>;
}

/** The keys of memberships and of logins (kept as hashes; UsersRepository resolves them). */
export interface ApiKeysRepository {
  /** A key that works while login `sid` lives, for membership `userId`. */
  addLoginKey(apiKey: string, userId: string, sid: string): Promise<void>;
  /** The membership's key becomes `apiKey`; every earlier key of it (its own, its logins') stops working at once. */
  replaceMembershipKey(userId: string, apiKey: string): Promise<Date>;
}

export interface StoredAvatar { id: string; contentType: ImageType; data: Buffer; sha256: string }

/** auth.avatars: one per membership. */
export interface AvatarsRepository {
  /** The membership's avatar becomes `img`, under a new id (so its URL changes). */
  save(organizationId: string, userId: string, img: CleanImage): Promise<string>;
  get(id: string): Promise<StoredAvatar | null>;
}

/** One repository per resource, all on the same connection or transaction. */
export interface Repositories {
  persons: PersonsRepository; users: UsersRepository; invitations: InvitationsRepository; organizations: OrganizationsRepository;
  groups: GroupsRepository; loginSessions: LoginSessionsRepository; apiKeys: ApiKeysRepository; avatars: AvatarsRepository;
}

/**
 * The database, three ways. `unscoped` and `transaction` act as auth-svc itself, for what no
 * caller's organization limits (signup, login, a person's own logins). `inScope` is every query
 * made for a caller: one transaction in which row-level security shows only `scope`.
 */
export interface Store {
  readonly unscoped: Repositories;
  transaction<T>(fn: (r: Repositories) => Promise<T>): Promise<T>;
  inScope<T>(scope: OrgScope, fn: (r: Repositories) => Promise<T>): Promise<T>;
}

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

/** auth-svc's domain events (JetStream in production, messaging/auth.events.ts). */
export interface DomainEvents {
  publish<S extends z.ZodType>(contract: EventContract<S>, payload: Omit<z.infer<S>, 'at'>): Promise<void>;
}
