import { z } from 'zod';
import { PORTAL_ROLES } from './roles';

export const TOKEN_ISSUER = 'vsay-auth';
export const ACCESS_TOKEN_TTL_SEC = 24 * 60 * 60;

export const ClientSource = z.enum(['ui', 'cli', 'vscode']);
export type ClientSource = z.infer<typeof ClientSource>;

/** The access-token claims of document 002, plus `sid`, the revocable session key. */
export const AccessClaims = z.object({
  user_id: z.string(),
  username: z.string(),
  email: z.string(),
  tenant_id: z.string(),
  tenant_name: z.string(),
  role: z.enum(PORTAL_ROLES),
  machine_role: z.string(),
  groups: z.array(z.string()),
  keycloak_id: z.string(),
  source: ClientSource,
  sid: z.string().min(1),
  iss: z.literal(TOKEN_ISSUER),
  exp: z.number(),
  iat: z.number(),
});
export type AccessClaims = z.infer<typeof AccessClaims>;

/** Redis key under which a revoked session key is remembered until its tokens expire. */
export function revokedSessionKey(sid: string): string {
  return `auth:revoked:${sid}`;
}
