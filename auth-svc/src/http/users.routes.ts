import { Router } from 'express';
import type { AccessTokenVerifier } from '@webxterm/kit';
import { UserNotFound } from '../domain/auth.errors';
import type { AccountRepository } from '../domain/ports';
import { userJson } from './presenters';

/** The signed-in person's own record in the organization of their token. */
export function userRoutes(d: { verifier: AccessTokenVerifier; repo: AccountRepository }): Router {
  const r = Router();
  r.get('/api/users/me', async (req, res) => {
    const claims = await d.verifier.verifyRequest(req);
    const m = await d.repo.membershipById(claims.user_id);
    if (!m) throw UserNotFound();
    res.json(userJson(m));
  });
  return r;
}
