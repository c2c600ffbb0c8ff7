import { Request, Response, Router } from 'express';
import { AccessTokenVerifier, OBJECT_ID, parseInput } from '@webxterm/kit';
import { maskedApiKey } from '../domain/api-keys';
import { AvatarNotFound } from '../domain/auth.errors';
import type { Profile, ProfileService } from '../domain/profile.service';
import { contextOf } from './context';
import { ChangePasswordBody } from './schemas';
import { readUpload } from './upload-body';

export interface ProfileRouteDeps { verifier: AccessTokenVerifier; profile: ProfileService; avatarMaxBytes: number }

const EXTENSION = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' } as const;

/** Document 000's Profile section: the caller's own membership, never anyone else's. */
export function profileRoutes({ verifier, profile, avatarMaxBytes }: ProfileRouteDeps): Router {
  const r = Router();

  r.get('/api/profile', async (req, res) => {
    res.json(profileJson(await profile.get(await verifier.verifyRequest(req))));
  });

  r.post('/api/profile/regenerate-api-key', async (req, res) => {
    const k = await profile.regenerateApiKey(await verifier.verifyRequest(req), contextOf(req));
    res.setHeader('cache-control', 'no-store');
    res.json({
      message: 'API key regenerated: copy it now, it is not shown again. Registered machines keep working.',
      api_key: k.apiKey, api_key_prefix: k.prefix, api_key_created_at: k.createdAt.toISOString(),
    });
  });

  r.post('/api/profile/reset-password', async (req, res) => {
    const claims = await verifier.verifyRequest(req);
    const body = parseInput(ChangePasswordBody, req.body);
    const out = await profile.changePassword(claims, body.current_password, body.new_password, contextOf(req));
    res.json({ message: 'Password changed. Your other logins have ended.', other_logins_ended: out.otherLoginsEnded });
  });

  r.post('/api/profile/upload-avatar', async (req, res) => {
    try {
      const claims = await verifier.verifyRequest(req);
      const data = await readUpload(req, avatarMaxBytes);
      const { id, image } = await profile.uploadAvatar(claims, data, contextOf(req));
      res.json({ message: 'Avatar updated', avatar_url: avatarUrl(id), content_type: image.contentType, width: image.width, height: image.height });
    } catch (e) {
      // Answered before the whole body was read (too large, refused): do not read the rest of it.
      if (!req.complete) res.setHeader('connection', 'close');
      throw e;
    }
  });

  r.get('/api/profile/avatar/:id', async (req: Request, res: Response) => {
    const claims = await verifier.verifyRequest(req);
    const id = String(req.params.id);
    if (!OBJECT_ID.test(id)) throw AvatarNotFound();
    const img = await profile.avatar(claims, id);
    const etag = `"${img.sha256}"`;
    res.set({
      'content-type': img.contentType,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'content-disposition': `inline; filename="avatar-${img.id}.${EXTENSION[img.contentType]}"`,
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'private, max-age=31536000, immutable',
      etag,
    });
    if (req.headers['if-none-match'] === etag) return void res.status(304).end();
    res.setHeader('content-length', String(img.data.length));
    res.end(img.data);
  });

  return r;
}

const avatarUrl = (id: string) => `/api/profile/avatar/${id}`;

function profileJson(p: Profile) {
  const m = p.membership;
  return {
    id: m.id,
    username: m.person.username,
    email: m.person.email,
    first_name: m.person.firstName,
    last_name: m.person.lastName,
    role: m.role,
    machine_role: m.machineRole,
    groups: m.groups,
    tenant_id: m.organization.tenantId,
    tenant_name: m.organization.name,
    organization: { tenant_id: m.organization.tenantId, name: m.organization.name },
    email_verified: m.person.emailVerified,
    // The key itself is kept only as a hash: its start, and when it was made.
    api_key: maskedApiKey(m.apiKeyPrefix),
    api_key_set: m.apiKeyPrefix !== '',
    api_key_prefix: m.apiKeyPrefix,
    api_key_created_at: p.apiKeyCreatedAt.toISOString(),
    avatar_url: p.avatarId ? avatarUrl(p.avatarId) : null,
    created_at: p.memberSince.toISOString(),
  };
}
