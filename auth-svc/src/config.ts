import { z } from 'zod';
import { databaseUrl, jwtSecret, logLevel, natsUrl, metricsPort, port, redisUrl } from '@webxterm/kit';

export const AuthConfigSchema = z.object({
  /** HTTP port; the gateway reaches auth-svc here. */
  PORT: port(8081),
  HOST: z.string().default('0.0.0.0'),
  /** Prometheus /metrics listener (internal: not routed by the gateway). */
  METRICS_PORT: metricsPort,
  DATABASE_URL: databaseUrl,
  NATS_URL: natsUrl,
  REDIS_URL: redisUrl,
  /** Signs access tokens (HS256); shared with every verifier. */
  JWT_SECRET: jwtSecret,
  /** Proxy hops trusted for X-Forwarded-For: 1 = the gateway in front. */
  TRUST_PROXY: z.coerce.number().int().min(0).default(1),
  /** Largest JSON body accepted. */
  BODY_LIMIT: z.string().default('100kb'),
  /** SMTP relay for OTP mail (MailDev on 1025 in the local stack). */
  SMTP_HOST: z.string().default('127.0.0.1'),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(1025),
  SMTP_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().default('WebXTerm <no-reply@webxterm.local>'),
  /** Minutes an emailed login code stays valid. */
  OTP_TTL_MIN: z.coerce.number().int().min(1).max(60).default(10),
  /** Wrong codes tolerated before the code is burnt. */
  OTP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** Days a login may be kept alive by refreshing before a new login is required. */
  SESSION_MAX_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  /**
   * Login limits per account, whichever name is typed (docs/decisions.md, "Login limits"): one
   * source (client IP) gets LOGIN_FAILURES_PER_SOURCE password checks per window against one
   * account; once the account has LOGIN_SLOWDOWN_AFTER failures in the window from all sources
   * together, sources that never logged into it share one check per LOGIN_SLOWDOWN_MS, while
   * sources that did (within LOGIN_TRUSTED_SOURCE_DAYS) keep their own limit only.
   */
  LOGIN_FAILURES_PER_SOURCE: z.coerce.number().int().min(1).default(10),
  LOGIN_FAILURE_WINDOW_SEC: z.coerce.number().int().min(1).default(900),
  LOGIN_SLOWDOWN_AFTER: z.coerce.number().int().min(1).default(20),
  LOGIN_SLOWDOWN_MS: z.coerce.number().int().min(1).default(5000),
  LOGIN_TRUSTED_SOURCE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** argon2id cost; defaults are OWASP's minimum (19 MiB, t=2, p=1). */
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(19456).default(19456),
  ARGON2_TIME_COST: z.coerce.number().int().min(2).default(2),
  /** The first super_admin, created at start-up when both are set and the email is unknown. */
  SUPER_ADMIN_EMAIL: z.email().optional(),
  SUPER_ADMIN_PASSWORD: z.string().min(8).optional(),
  /** Largest avatar upload in bytes (413 above it); PNG, JPEG or WebP, told by content. */
  AVATAR_MAX_BYTES: z.coerce.number().int().min(1024).max(20 * 1024 * 1024).default(2 * 1024 * 1024),
  /** Largest width × height of an avatar, read from the header before decoding (413: decompression bombs). */
  AVATAR_MAX_PIXELS: z.coerce.number().int().min(1).default(16_777_216),
  /** Avatars are scaled to fit this square (pixels), never enlarged. */
  AVATAR_SIDE: z.coerce.number().int().min(32).max(2048).default(512),
  /** Images decoded at once per replica; the rest wait. */
  IMAGE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  LOG_LEVEL: logLevel,
});
export type AuthConfig = z.infer<typeof AuthConfigSchema>;
