import { z } from 'zod';
import { databaseUrl, jwtSecret, logLevel, natsUrl, metricsPort, port, redisUrl } from '@webxterm/kit';

export const CommunityConfigSchema = z.object({
  /** HTTP port; the gateway routes /api/community here. */
  PORT: port(8084),
  HOST: z.string().default('0.0.0.0'),
  /** Prometheus /metrics listener (internal: not routed by the gateway). */
  METRICS_PORT: metricsPort,
  DATABASE_URL: databaseUrl,
  /** Organization deletions arrive here (auth-svc's AUTH_EVENTS stream). */
  NATS_URL: natsUrl,
  /** Revoked session keys are read here. */
  REDIS_URL: redisUrl,
  JWT_SECRET: jwtSecret,
  /** Largest JSON body (issues and fixes: a Markdown body is at most 50,000 characters). */
  BODY_LIMIT: z.string().default('256kb'),
  /** Largest image upload, bytes (before re-encoding). Larger bodies get 413. */
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).max(64 << 20).default(5 * 1024 * 1024),
  /**
   * Largest image accepted, in pixels (width × height, read from the header before decoding):
   * a decompression bomb — a small file that decodes to gigabytes — is refused with 413.
   */
  IMAGE_MAX_PIXELS: z.coerce.number().int().min(1).max(268_402_689).default(25_000_000),
  /** Images decoded at once per replica (each may hold IMAGE_MAX_PIXELS × 4 bytes); more wait. */
  IMAGE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  LOG_LEVEL: logLevel,
});
export type CommunityConfig = z.infer<typeof CommunityConfigSchema>;
