import { UserRemoved } from '@webxterm/contracts';
import { AUDIT_CTX, CTX, domainWorld } from './fakes/world';

// The users service's rules on in-memory fakes (test/fakes): no PostgreSQL.

const newUser = (name: string, over: Record<string, string> = {}) => ({
  username: name, email: `${name}@example.com`, password: 'member password', first_name: 'Mem', last_name: 'Ber', role: 'user' as const, ...over,
});

describe('UsersService (domain)', () => {
  it('me: the caller’s own membership, and not found once it is removed', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const u = await w.users.create(a.claims, newUser('max'), AUDIT_CTX);
    const max = await w.claimsOf(u.id);
    expect(await w.users.me(max)).toMatchObject({ id: u.id, person: { username: 'max' }, organization: { tenantId: a.tenantId } });
    await w.users.remove(a.claims, u.id, AUDIT_CTX);
    await expect(w.users.me(max)).rejects.toMatchObject({ code: 'auth.user_not_found' });
  });

  it('a user of another organization is not found, whoever asks', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const b = await w.admin('bob');
    await expect(w.users.get(a.claims, b.userId)).rejects.toMatchObject({ code: 'auth.user_not_found' });
    await expect(w.users.remove(a.claims, b.userId, AUDIT_CTX)).rejects.toMatchObject({ code: 'auth.user_not_found' });
    expect((await w.users.list(a.claims)).map((u) => u.id)).toEqual([a.userId]);
  });

  it('an email known elsewhere becomes an invitation shown with the typed names; the same person twice is 409', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const b = await w.admin('bob');
    const invited = await w.users.create(b.claims, newUser('typed-name', { email: a.email, first_name: 'Typed' }), AUDIT_CTX);
    expect(invited).toMatchObject({ pending: true, username: 'typed-name', firstName: 'Typed', emailVerified: false, tenantId: b.tenantId });
    expect(w.invited).toEqual([{ to: a.email, username: a.username, organizationName: b.company_name, invitedBy: b.username }]);
    await expect(w.users.create(b.claims, newUser('again', { email: a.email }), AUDIT_CTX)).rejects.toMatchObject({ code: 'users.already_member' });
    // Until accepted, the person's logins do not offer the organization.
    expect((await w.store.unscoped.users.membershipsOf(invited.personId)).map((m) => m.organization.tenantId)).toEqual([a.tenantId]);
  });

  it('a role change revokes that user’s logins; nobody changes their own role', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const u = await w.users.create(a.claims, newUser('max'), AUDIT_CTX);
    const login = await w.login.login('max@example.com', 'member password', CTX);
    if (login.kind !== 'token') throw new Error(login.kind);
    await w.users.update(a.claims, u.id, { role: 'company_admin' }, AUDIT_CTX);
    expect(w.revocations.revoked.has(login.issued.claims.sid)).toBe(true);
    await expect(w.users.update(a.claims, a.userId, { role: 'user' }, AUDIT_CTX)).rejects.toMatchObject({ code: 'users.own_role' });
  });

  it('removing a user publishes UserRemoved and deletes a person left in no organization; nobody removes themselves', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const u = await w.users.create(a.claims, newUser('max'), AUDIT_CTX);
    await expect(w.users.remove(a.claims, a.userId, AUDIT_CTX)).rejects.toMatchObject({ code: 'users.delete_self' });
    await w.users.remove(a.claims, u.id, AUDIT_CTX);
    expect(w.events.of(UserRemoved)).toEqual([{ tenant_id: a.tenantId, user_id: u.id }]);
    expect(await w.store.unscoped.persons.byUsername('max')).toBeNull();
    expect(w.audit.actions()).toContain('users.delete:success');
  });

  it('a plain user may not create users', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const u = await w.users.create(a.claims, newUser('max'), AUDIT_CTX);
    await expect(w.users.create(await w.claimsOf(u.id), newUser('eve'), AUDIT_CTX)).rejects.toMatchObject({ kind: 'forbidden' });
  });
});
