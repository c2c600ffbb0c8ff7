import type { z } from 'zod';
import { StreamSettingsSchema } from '@webxterm/kit';
import { BridgeConfigSchema } from '../../../agent-bridge/src/config';
import { AuditConfigSchema } from '../../../audit-svc/src/config';
import { AuthConfigSchema } from '../../../auth-svc/src/config';
import { CommunityConfigSchema } from '../../../community-svc/src/config';
import { GatewayConfigSchema } from '../../../gateway/src/config';
import { MachineConfigSchema } from '../../../machine-svc/src/config';
import { TerminalConfigSchema } from '../../../terminal-svc/src/config';

/**
 * Each deployed service with the zod schema its process parses its environment with. Every service
 * also reads NATS_STREAM_REPLICAS through the kit when it creates its streams (StreamSettingsSchema).
 */
export const SERVICES: Record<string, z.ZodObject> = {
  gateway: GatewayConfigSchema,
  'auth-svc': AuthConfigSchema,
  'audit-svc': AuditConfigSchema,
  'machine-svc': MachineConfigSchema,
  'terminal-svc': TerminalConfigSchema,
  'agent-bridge': BridgeConfigSchema,
  'community-svc': CommunityConfigSchema,
};

export const KIT_SCHEMAS: z.ZodObject[] = [StreamSettingsSchema];

/** The variables a schema cannot do without: no default, not optional. */
export function requiredKeys(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape).filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success).map(([k]) => k);
}

/**
 * Variables whose default names this machine (127.0.0.1, localhost): right for `npm start`, wrong
 * in a pod, where they must be set.
 */
export function localDefaultKeys(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape).filter(([, field]) => {
    const r = (field as z.ZodType).safeParse(undefined);
    return r.success && typeof r.data === 'string' && /127\.0\.0\.1|localhost/.test(r.data);
  }).map(([k]) => k);
}
