import { z } from 'zod';
import { databaseUrl, jwtSecret, logLevel, natsUrl, metricsPort, port, redisUrl } from '@webxterm/kit';

export const TerminalConfigSchema = z.object({
  /** HTTP + WebSocket port; the gateway routes /api/terminal here. */
  PORT: port(8086),
  HOST: z.string().default('0.0.0.0'),
  /** Prometheus /metrics listener (internal: not routed by the gateway). */
  METRICS_PORT: metricsPort,
  DATABASE_URL: databaseUrl,
  NATS_URL: natsUrl,
  REDIS_URL: redisUrl,
  JWT_SECRET: jwtSecret,
  /**
   * Output the agent may send ahead of the browser (unacknowledged bytes per session). Past it the
   * agent stops reading the PTY, so a slow reader slows the program down; the agent holds at most
   * this much per session. 1 MiB (was 256 KiB): one session's flood went from 10–16 to 15–24 MB/s
   * and from 80–96 to 55–73 ms of CPU per MB (bench/terminal.bench.ts, paired runs on 3 December).
   */
  SESSION_WINDOW_BYTES: z.coerce.number().int().min(4096).max(16 << 20).default(1024 * 1024),
  /** Bytes queued on one browser socket before this replica stops pulling output for it. */
  SOCKET_HIGH_WATER_BYTES: z.coerce.number().int().min(4096).default(1 << 20),
  /** Largest WebSocket frame accepted from a browser; larger ones close the socket with 1009. */
  MAX_FRAME_BYTES: z.coerce.number().int().min(1024).max(1 << 20).default(64 * 1024),
  /** How long opening a session on the agent may take. */
  OPEN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Open terminals one person may have at once (a socket closed without `exit` leaves its shell open to resume). */
  MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Open terminals one machine serves at once, everyone's together. */
  MAX_SESSIONS_PER_MACHINE: z.coerce.number().int().min(1).max(100_000).default(100),
  /** How often open terminals are checked against revoked logins (announcements close them at once; this catches a missed one). */
  LOGIN_SWEEP_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** How often recordings past their organization's retention are deleted. */
  RECORDING_SWEEP_MS: z.coerce.number().int().min(100).max(86_400_000).default(600_000),
  /**
   * Sessions of an agent offline for longer than this, and not back since, are closed as lost: an
   * agent ends a shell nobody attends after its `detached_session_timeout_sec` (an hour by default),
   * so they cannot come back. Keep it above the agents' setting.
   */
  AGENT_AWAY_MAX_MS: z.coerce.number().int().min(1000).default(65 * 60_000),
  /** How often sessions are checked for that. */
  LOST_SESSION_SWEEP_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  LOG_LEVEL: logLevel,
});
export type TerminalConfig = z.infer<typeof TerminalConfigSchema>;
