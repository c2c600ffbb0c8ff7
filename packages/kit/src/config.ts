import { z } from 'zod';

export class ConfigError extends Error {}

/**
 * Parses the environment once against a schema. Every bad variable is listed together, so a
 * misconfigured deployment fails at boot with one complete message.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/** Common fields: ports, the three backing services and the token secret. */
export const port = (dflt: number) => z.coerce.number().int().min(0).max(65535).default(dflt);
export const databaseUrl = z.string().url().default('postgres://postgres@127.0.0.1:5432/webxterm');
export const natsUrl = z.string().default('nats://127.0.0.1:4222');
export const redisUrl = z.string().url().default('redis://127.0.0.1:6379');
/** HS256 secret shared by auth-svc (signs) and every verifier; at least 32 bytes. */
export const jwtSecret = z.string().min(32, 'JWT_SECRET must be at least 32 characters');
export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
/**
 * Port of the Prometheus `/metrics` listener, apart from the service's own port so the gateway
 * never proxies it and a NetworkPolicy can open it to the monitoring namespace only. 0 = any free
 * port (tests); `npm start` gives each service its own, as they share one host there.
 */
export const metricsPort = port(9464);
