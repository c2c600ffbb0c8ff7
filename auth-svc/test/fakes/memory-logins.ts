import { createHash } from 'node:crypto';
import { objectId } from '@webxterm/kit';
import { apiKeyPrefix, hashApiKey } from '../../src/domain/api-keys';
import type { CleanImage } from '../../src/domain/avatar-image';
import type { LoginSession } from '../../src/domain/model';
import type { ApiKeysRepository, AvatarsRepository, LoginSessionsRepository } from '../../src/domain/ports';
import type { Scoped, SessionRecord } from './memory-store';

/* MemoryStore's repositories of logins, API keys and avatars. */

export class LoginSessions implements LoginSessionsRepository {
  constructor(private readonly db: Scoped) {}
  private static copy(s: SessionRecord): LoginSession & { revokedAt: Date | null } {
    return { sid: s.sid, personId: s.personId, source: s.source, createdAt: s.createdAt, expiresAt: s.expiresAt, revokedAt: s.revokedAt };
  }
  async create(s: LoginSession & { clientIp: string | null }) { this.db.t.sessions.set(s.sid, { ...s, revokedAt: null }); }
  async get(sid: string) {
    const s = this.db.t.sessions.get(sid);
    return s ? LoginSessions.copy(s) : null;
  }
  async extend(sid: string, expiresAt: Date) {
    const s = this.db.t.sessions.get(sid);
    if (s && expiresAt > s.expiresAt) s.expiresAt = expiresAt;
  }
  async markRevoked(sid: string) {
    const s = this.db.t.sessions.get(sid);
    if (!s) return null;
    s.revokedAt ??= this.db.now();
    return LoginSessions.copy(s);
  }
  async linkUser(sid: string, userId: string) {
    if (!this.db.t.sessionUsers.some((x) => x.sid === sid && x.userId === userId)) this.db.t.sessionUsers.push({ sid, userId });
  }
  async revokeOfUsers(userIds: string[]) {
    const sids = new Set(this.db.t.sessionUsers.filter((x) => userIds.includes(x.userId)).map((x) => x.sid));
    return this.revokeWhere((s) => sids.has(s.sid));
  }
  async revokeOfPerson(personId: string, exceptSid: string | null) {
    return this.revokeWhere((s) => s.personId === personId && s.sid !== exceptSid);
  }
  private revokeWhere(match: (s: SessionRecord) => boolean) {
    const now = this.db.now();
    const live = [...this.db.t.sessions.values()].filter((s) => match(s) && !s.revokedAt && s.expiresAt > now);
    for (const s of live) s.revokedAt = now;
    return live.map(LoginSessions.copy);
  }
}

export class ApiKeys implements ApiKeysRepository {
  constructor(private readonly db: Scoped) {}
  async addLoginKey(apiKey: string, userId: string, sid: string) { this.db.t.loginApiKeys.set(hashApiKey(apiKey), { userId, sid }); }
  async replaceMembershipKey(userId: string, apiKey: string) {
    const m = this.db.t.memberships.get(userId)!;
    Object.assign(m, { apiKeyHash: hashApiKey(apiKey), apiKeyPrefix: apiKeyPrefix(apiKey), apiKeyCreatedAt: this.db.now() });
    for (const [k, v] of this.db.t.loginApiKeys) if (v.userId === userId) this.db.t.loginApiKeys.delete(k);
    return m.apiKeyCreatedAt;
  }
}

export class Avatars implements AvatarsRepository {
  constructor(private readonly db: Scoped) {}
  async save(organizationId: string, userId: string, img: CleanImage) {
    for (const [k, v] of this.db.t.avatars) if (v.userId === userId) this.db.t.avatars.delete(k);
    const id = objectId();
    this.db.t.avatars.set(id, { id, userId, organizationId, contentType: img.contentType, data: img.data, sha256: createHash('sha256').update(img.data).digest('hex') });
    return id;
  }
  async get(id: string) {
    const a = this.db.t.avatars.get(id);
    return a && this.db.sees(a.organizationId) ? { id: a.id, contentType: a.contentType, data: a.data, sha256: a.sha256 } : null;
  }
}
