import { CTX, domainWorld } from './fakes/world';

// The profile's rules on in-memory fakes (test/fakes); images are re-encoded by the real sharp.

/** A valid 1×1 PNG. */
const ONE_PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('ProfileService (domain)', () => {
  it('a new API key ends every earlier key of the membership, its logins’ keys too', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const o = await w.login.login(a.email, a.password, CTX);
    if (o.kind !== 'token') throw new Error(o.kind);
    const k = await w.profile.regenerateApiKey(o.issued.claims, CTX);
    expect(k.prefix).toBe(k.apiKey.slice(0, 8));
    expect(await w.store.unscoped.users.membershipByApiKey(o.apiKey)).toBeNull();
    expect((await w.store.unscoped.users.membershipByApiKey(k.apiKey))?.id).toBe(a.userId);
    expect((await w.profile.get(o.issued.claims)).membership.apiKeyPrefix).toBe(k.prefix);
  });

  it('a password change needs the current one and ends the person’s other logins, not this one', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const here = await w.login.login(a.email, a.password, CTX);
    const there = await w.login.login(a.email, a.password, CTX);
    if (here.kind !== 'token' || there.kind !== 'token') throw new Error('no token');
    await expect(w.profile.changePassword(here.issued.claims, 'wrong', 'new password 1', CTX)).rejects.toMatchObject({ code: 'profile.wrong_password' });
    await expect(w.profile.changePassword(here.issued.claims, a.password, a.password, CTX)).rejects.toMatchObject({ code: 'profile.same_password' });
    expect(await w.profile.changePassword(here.issued.claims, a.password, 'new password 1', CTX)).toEqual({ otherLoginsEnded: 1 });
    expect(w.revocations.revoked.has(there.issued.claims.sid)).toBe(true);
    expect(w.revocations.revoked.has(here.issued.claims.sid)).toBe(false);
    expect((await w.login.login(a.email, 'new password 1', CTX)).kind).toBe('token');
  });

  it('an avatar is seen in its own organization only', async () => {
    const w = domainWorld();
    const a = await w.admin('ada');
    const b = await w.admin('bob');
    const { id, image } = await w.profile.uploadAvatar(a.claims, ONE_PIXEL_PNG, CTX);
    expect(image.contentType).toBe('image/png');
    expect((await w.profile.avatar(a.claims, id)).id).toBe(id);
    expect((await w.profile.get(a.claims)).avatarId).toBe(id);
    await expect(w.profile.avatar(b.claims, id)).rejects.toMatchObject({ code: 'profile.avatar_not_found' });
  });
});
