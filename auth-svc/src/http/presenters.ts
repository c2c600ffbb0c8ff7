import type { LoginOutcome } from '../domain/login.service';
import type { Membership } from '../domain/model';
import { maskedApiKey } from '../domain/api-keys';

/**
 * The `user` object of document 002. `apiKey` is a usable key only in login answers (a key of that
 * login); everywhere else `api_key` shows the masked key of the membership ("vsk_AbCd…").
 */
export function userJson(m: Membership, apiKey?: string) {
  return {
    id: m.id,
    username: m.person.username,
    email: m.person.email,
    first_name: m.person.firstName,
    last_name: m.person.lastName,
    tenant_id: m.organization.tenantId,
    tenant_name: m.organization.name,
    role: m.role,
    machine_role: m.machineRole,
    groups: m.groups,
    email_verified: m.person.emailVerified,
    api_key: apiKey ?? maskedApiKey(m.apiKeyPrefix),
  };
}

export function tenantJson(m: Membership) {
  return { tenant_id: m.organization.tenantId, tenant_name: m.organization.name, username: m.person.username, user_id: m.id };
}

/** Document 002's response for each login scenario. */
export function outcomeJson(o: LoginOutcome) {
  switch (o.kind) {
    case 'token':
      return {
        token: o.issued.token, user: userJson(o.membership, o.apiKey), expires_in: o.issued.expiresIn,
        session_token: o.sessionToken, available_tenants: o.available.map(tenantJson),
      };
    case 'otp':
      return {
        message: 'OTP sent to your email', requires_otp: true, username: o.username,
        tenants: o.tenants.map(tenantJson), session_token: o.sessionToken, otp_expires_in_min: o.ttlMin,
      };
    case 'select':
      return { requires_tenant_selection: true, tenants: o.tenants.map(tenantJson), session_token: o.sessionToken };
  }
}

/** The slim `user` of the Community Edition documents (001/003). */
export function communityUserJson(m: Membership, apiKey: string) {
  return { id: m.id, username: m.person.username, email: m.person.email, api_key: apiKey };
}
