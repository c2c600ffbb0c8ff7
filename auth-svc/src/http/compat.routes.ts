import { Router } from 'express';
import { aclForRole, roleNumber } from '@webxterm/contracts';
import { AccessTokenVerifier, AppError, extractToken, parseInput } from '@webxterm/kit';
import type { DirectLoginService } from '../domain/direct-login.service';
import type { Sessions } from '../domain/sessions';
import type { SignupService } from '../domain/signup.service';
import { contextOf } from './context';
import { communityUserJson } from './presenters';
import { CommunitySignupBody, LoginBody, TokenApiLoginBody } from './schemas';

export interface CompatRouteDeps {
  signup: SignupService; direct: DirectLoginService; sessions: Sessions; verifier: AccessTokenVerifier;
}

/** The older forms kept as aliases: Community Edition (001/003) and the token API of document 004. */
export function compatRoutes(d: CompatRouteDeps): Router {
  const r = Router();

  r.post('/api/signup', async (req, res) => {
    const body = parseInput(CommunitySignupBody, req.body);
    const ctx = contextOf(req);
    await d.signup.signupCommunity(body, ctx);
    const { issued, membership } = await d.direct.withEmail(body.email, body.password, ctx);
    const apiKey = await d.sessions.loginApiKey(membership.id, issued.claims.sid);
    res.status(201).json({ message: 'User registered successfully', token: issued.token, user: communityUserJson(membership, apiKey) });
  });

  r.post('/api/login', async (req, res) => {
    const body = parseInput(LoginBody, req.body);
    const { issued, membership } = await d.direct.withEmail(body.email, body.password, contextOf(req));
    const apiKey = await d.sessions.loginApiKey(membership.id, issued.claims.sid);
    res.json({ message: 'Login successful', token: issued.token, user: communityUserJson(membership, apiKey) });
  });

  r.post('/login', async (req, res) => {
    const body = parseInput(TokenApiLoginBody, req.body);
    const { issued, membership } = await d.direct.withUsername(body.username, body.password, contextOf(req));
    res.json({
      key: issued.claims.sid, username: membership.person.username, expires: issued.claims.exp * 1000,
      token: issued.token, role: roleNumber(membership.role), roleName: membership.role, acl: aclForRole(membership.role),
    });
  });

  r.post('/logout', async (req, res) => {
    const found = extractToken(req);
    if (!found || found.key === undefined) throw new AppError('unauthenticated', 'auth.token_missing', 'X-Access-Token and X-Key are required');
    await d.sessions.logout(await d.verifier.verify(found.token, found.key), contextOf(req));
    res.json({ status: 'OK', info: 'Successful logout.' });
  });

  return r;
}
