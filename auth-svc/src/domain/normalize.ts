import { OPERATOR_ORGANIZATION } from './model';

/** Document 002: the organization name is lowercased and spaces become hyphens. */
export function normalizeOrganizationName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, '-');
}

/** Valid tenant slugs: what Keycloak accepts as a realm name and NATS as a subject token. */
export const TENANT_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Slugs that name parts of the platform, not customers (the operator's organization among them). */
export const RESERVED_TENANTS = new Set([OPERATOR_ORGANIZATION.tenantId, 'master', 'admin', 'api', 'system']);

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
