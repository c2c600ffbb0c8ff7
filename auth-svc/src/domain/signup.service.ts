import { randomBytes } from 'node:crypto';
import { newApiKey } from './api-keys';
import { AppError, AuditSink, objectId } from '@webxterm/kit';
import { EmailTaken, OrganizationTaken, UsernameTaken } from './auth.errors';
import { type Membership, OPERATOR_ORGANIZATION, type RequestContext } from './model';
import { normalizeEmail, normalizeOrganizationName, RESERVED_TENANTS, TENANT_SLUG } from './normalize';
import type { CredentialStore, Repositories, Store } from './ports';

export interface SignupInput {
  username: string; email: string; password: string; first_name: string; last_name: string;
  organization_name: string; company_name: string;
}

/** A new account: a person, their membership and, unless it exists, the organization. */
interface NewAccount {
  organization: { id: string; tenantId: string; name: string } | { existingId: string };
  person: { id: string; email: string; username: string; firstName: string; lastName: string };
  membership: { id: string; role: Membership['role'] };
  passwordHash: string;
}

export class SignupService {
  constructor(
    private readonly store: Store,
    private readonly credentials: CredentialStore,
    private readonly audit: AuditSink,
  ) {}

  /** `POST /api/auth/signup`: a new organization and its first user, as company_admin. */
  async signup(input: SignupInput, ctx: RequestContext): Promise<{ userId: string; username: string; organization: string; tenantId: string }> {
    const tenantId = normalizeOrganizationName(input.organization_name);
    if (!TENANT_SLUG.test(tenantId)) {
      throw new AppError('invalid', 'request.invalid',
        'organization_name: use letters, digits, spaces and hyphens (at most 63), starting and ending with a letter or digit');
    }
    if (RESERVED_TENANTS.has(tenantId)) throw OrganizationTaken();
    const userId = await this.create(input, { id: objectId(), tenantId, name: input.company_name.trim() }, 'company_admin', ctx);
    return { userId, username: input.username, organization: input.company_name.trim(), tenantId };
  }

  /**
   * `POST /api/signup` (Community Edition): no organization is named, so the person gets a
   * workspace of their own, named after the username.
   */
  async signupCommunity(input: Pick<SignupInput, 'username' | 'email' | 'password'>, ctx: RequestContext): Promise<string> {
    const base = input.username.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'workspace';
    let tenantId = RESERVED_TENANTS.has(base) ? `${base}-${randomBytes(2).toString('hex')}` : base;
    for (let i = 0; i < 5 && (await this.db.organizations.byTenant(tenantId)); i++) tenantId = `${base}-${randomBytes(2).toString('hex')}`;
    return this.create(
      { ...input, first_name: input.username, last_name: '', organization_name: tenantId, company_name: input.username },
      { id: objectId(), tenantId, name: input.username }, 'company_admin', ctx,
    );
  }

  /** Creates the first super_admin at start-up, once; later starts leave the account alone. */
  async ensureSuperAdmin(email: string, password: string): Promise<boolean> {
    if (await this.db.persons.byEmail(normalizeEmail(email))) return false;
    const org = await this.db.organizations.byTenant(OPERATOR_ORGANIZATION.tenantId);
    const base = email.split('@')[0].replace(/[^A-Za-z0-9._-]+/g, '').slice(0, 40).padEnd(3, '0');
    let username = base;
    for (let i = 0; i < 5 && (await this.db.persons.byUsername(username)); i++) username = `${base}-${randomBytes(2).toString('hex')}`;
    await this.createAccount({
      organization: org ? { existingId: org.id } : { id: objectId(), ...OPERATOR_ORGANIZATION },
      person: { id: objectId(), email: normalizeEmail(email), username, firstName: 'Super', lastName: 'Admin' },
      membership: { id: objectId(), role: 'super_admin' },
      passwordHash: await this.credentials.prepare(password),
    });
    return true;
  }

  private async create(input: SignupInput, org: { id: string; tenantId: string; name: string }, role: Membership['role'], ctx: RequestContext): Promise<string> {
    const email = normalizeEmail(input.email);
    const actor = { user_id: null, username: input.username, email, role: null };
    const base = { client_ip: ctx.clientIp, user_agent: ctx.userAgent, request_id: ctx.requestId, tenant_id: org.tenantId, actor };
    if (await this.db.persons.byUsername(input.username)) { this.refuse(base, 'username_taken'); throw UsernameTaken(); }
    if (await this.db.persons.byEmail(email)) { this.refuse(base, 'email_taken'); throw EmailTaken(); }
    if (await this.db.organizations.byTenant(org.tenantId)) { this.refuse(base, 'organization_taken'); throw OrganizationTaken(); }
    const userId = objectId();
    await this.createAccount({
      organization: org,
      person: { id: objectId(), email, username: input.username, firstName: input.first_name.trim(), lastName: input.last_name.trim() },
      membership: { id: userId, role },
      passwordHash: await this.credentials.prepare(input.password),
    });
    this.audit.record({ ...base, action: 'auth.signup', result: 'success', actor: { ...actor, user_id: userId, role }, details: { source: ctx.source } });
    return userId;
  }

  /** In one transaction, so a lost race (a name taken meanwhile: 409 from the repositories) leaves nothing behind. */
  private createAccount(a: NewAccount): Promise<void> {
    return this.store.transaction(async (tx) => {
      let organizationId: string;
      if ('existingId' in a.organization) organizationId = a.organization.existingId;
      else {
        organizationId = a.organization.id;
        await tx.organizations.insert({ ...a.organization, otpEnabled: false });
      }
      await tx.persons.insert(a.person, a.passwordHash);
      await tx.users.insert({ id: a.membership.id, personId: a.person.id, organizationId, role: a.membership.role, machineRole: '', apiKey: newApiKey() });
    });
  }

  /** Signup comes before any caller is known: no organization's scope limits it. */
  private get db(): Repositories {
    return this.store.unscoped;
  }

  private refuse(base: Omit<Parameters<AuditSink['record']>[0], 'action' | 'result'>, reason: string): void {
    this.audit.record({ ...base, tenant_id: null, action: 'auth.signup', result: 'failure', reason });
  }
}
