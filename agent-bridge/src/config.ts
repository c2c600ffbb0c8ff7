import { z } from 'zod';
import { logLevel, natsUrl, metricsPort, port } from '@webxterm/kit';

export const BridgeConfigSchema = z.object({
  /** HTTP port for /healthz, /readyz and /agents. */
  PORT: port(8087),
  HOST: z.string().default('0.0.0.0'),
  /** Prometheus /metrics listener (internal: not routed by the gateway). */
  METRICS_PORT: metricsPort,
  /** gRPC port the agents dial. */
  GRPC_PORT: port(7443),
  /**
   * Connections the kernel holds for the gRPC port until they are accepted (listen backlog; capped by
   * net.core.somaxconn). A replica's agents all reconnect to the next one within half a second of it
   * dying; beyond this many at once the kernel resets them and they back off again.
   */
  GRPC_LISTEN_BACKLOG: z.coerce.number().int().min(1).max(65_535).default(4096),
  /** PEM files for TLS on the gRPC port; both or neither (then plaintext, e.g. behind a TLS-terminating load balancer). */
  GRPC_TLS_CERT_FILE: z.string().optional(),
  GRPC_TLS_KEY_FILE: z.string().optional(),
  NATS_URL: natsUrl,
  /** Names this replica in events and logs; random when unset. */
  BRIDGE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  /** How often agents and the bridge exchange heartbeats; an agent silent for 3 intervals is offline. */
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(200).max(60_000).default(5000),
  /** How long an agent has to answer an open-session request. */
  OPEN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Commands (`POST /api/machines/:id/command`) one machine runs at once; more are refused with 429. */
  MAX_COMMANDS_PER_MACHINE: z.coerce.number().int().min(1).max(256).default(8),
  LOG_LEVEL: logLevel,
});
export type BridgeConfig = z.infer<typeof BridgeConfigSchema>;
