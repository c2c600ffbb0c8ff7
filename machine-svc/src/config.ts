import { z } from 'zod';
import { databaseUrl, jwtSecret, logLevel, natsUrl, metricsPort, port, redisUrl } from '@webxterm/kit';

export const MachineConfigSchema = z.object({
  /** HTTP port; the gateway routes /api/machines, /api/sessions, /api/agent here. */
  PORT: port(8082),
  HOST: z.string().default('0.0.0.0'),
  /** Prometheus /metrics listener (internal: not routed by the gateway). */
  METRICS_PORT: metricsPort,
  DATABASE_URL: databaseUrl,
  NATS_URL: natsUrl,
  /** Revoked session keys are read here. */
  REDIS_URL: redisUrl,
  JWT_SECRET: jwtSecret,
  BODY_LIMIT: z.string().default('100kb'),
  /** The platform URL agents are told to use in `vsay-agent configure --host`. */
  PUBLIC_URL: z.string().url().default('http://localhost:8080'),
  /** Where agents reach agent-bridge (host:port), announced at GET /api/agent/bootstrap. */
  AGENT_GRPC_ADDRESS: z.string().default('127.0.0.1:7443'),
  /** Whether agents must use TLS to reach it (the bridge has a certificate, or a TLS load balancer is in front). */
  AGENT_GRPC_TLS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** A machine whose bridge has not listed it for this long is offline (bridges list every few seconds). */
  OFFLINE_AFTER_MS: z.coerce.number().int().min(500).default(15_000),
  /** A registration token may register its machine again for this long (an agent that died before saving its credential). */
  REGISTRATION_GRACE_SEC: z.coerce.number().int().min(0).max(86_400).default(600),
  /** Default and largest timeout of POST /command, ms. */
  COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  COMMAND_MAX_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(300_000),
  /** Output kept per command (the agent kills a command that prints more). */
  COMMAND_MAX_OUTPUT_BYTES: z.coerce.number().int().min(1).max(512 * 1024).default(256 * 1024),
  LOG_LEVEL: logLevel,
});
export type MachineConfig = z.infer<typeof MachineConfigSchema>;
