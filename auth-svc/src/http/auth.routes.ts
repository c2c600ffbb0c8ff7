import { Router } from 'express';
import { AccessTokenVerifier, AppError, extractToken, parseInput } from '@webxterm/kit';
import type { LoginService } from '../domain/login.service';
import type { Sessions } from '../domain/sessions';
import type { SignupService } from '../domain/signup.service';
import { contextOf } from './context';
import { outcomeJson } from './presenters';
import { LoginBody, RefreshBody, SelectTenantBody, SignupBody, VerifyOtpBody } from './schemas';

export interface AuthRouteDeps { signup: SignupService; login: LoginService; sessions: Sessions; verifier: AccessTokenVerifier }

/** Document 002: everything under /api/auth. */
export function authRoutes(d: AuthRouteDeps): Router {
  const r = Router();

  r.post('/api/auth/signup', async (req, res) => {
    const body = parseInput(SignupBody, req.body);
    const out = await d.signup.signup(body, contextOf(req));
    res.status(201).json({
      message: 'User created successfully. Please check your email to verify your account.',
      user_id: out.userId, username: out.username, organization: out.organization,
    });
  });

  r.post('/api/auth/login', async (req, res) => {
    const body = parseInput(LoginBody, req.body);
    res.json(outcomeJson(await d.login.login(body.email, body.password, contextOf(req))));
  });

  r.post('/api/auth/select-tenant', async (req, res) => {
    const body = parseInput(SelectTenantBody, req.body);
    const out = await d.login.selectTenant(body.session_token, body.tenant_id, contextOf(req));
    const json = outcomeJson(out);
    if (out.kind === 'otp') {
      const { tenants: _t, session_token: _s, ...challenge } = json as Record<string, unknown>;
      res.json(challenge);
      return;
    }
    res.json(json);
  });

  r.post('/api/auth/verify-otp', async (req, res) => {
    const body = parseInput(VerifyOtpBody, req.body);
    res.json(outcomeJson(await d.login.verifyOtp(body.username, body.otp_code, contextOf(req))));
  });

  r.post('/api/auth/logout', async (req, res) => {
    await d.sessions.logout(await d.verifier.verifyRequest(req), contextOf(req));
    res.json({ message: 'Logged out successfully' });
  });

  // The token comes in the body (documents 001/002) or, as in document 003, in the Authorization header.
  r.post('/api/auth/refresh', async (req, res) => {
    const body = parseInput(RefreshBody, req.body);
    const token = body.token ?? extractToken(req)?.token;
    if (!token) throw new AppError('invalid', 'request.invalid', 'token: Required (in the body or the Authorization header)');
    const issued = await d.sessions.refresh(await d.verifier.verify(token), contextOf(req));
    res.json({ token: issued.token, expires_in: issued.expiresIn });
  });

  return r;
}
