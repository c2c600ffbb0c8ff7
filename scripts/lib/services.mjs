// The platform's services as `npm start` runs them, and the environment they get.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, SERVICE_ENV_DEFAULTS, STACK_DIR } from './config.mjs';
import { info, ok, StackError, warn } from './log.mjs';
import { isListening } from './net.mjs';
import { tailText, waitForHealthy } from './procs.mjs';

const AUTH_SVC_PORT = 8081;
const MACHINE_SVC_PORT = 8082;
const TERMINAL_SVC_PORT = 8086;
const COMMUNITY_SVC_PORT = 8084;

/**
 * Started in this order, each one healthy before the next. `port(env)` is the PORT it gets;
 * `metricsPort` its METRICS_PORT (Prometheus /metrics: one host, so one port each; 9464 in a pod).
 * A service whose src/main.ts does not exist yet is skipped.
 */
export const SERVICES = [
  { name: 'auth-svc', port: () => AUTH_SVC_PORT, metricsPort: 9465 },
  { name: 'machine-svc', port: () => MACHINE_SVC_PORT, metricsPort: 9466 },
  { name: 'terminal-svc', port: () => TERMINAL_SVC_PORT, metricsPort: 9467 },
  { name: 'agent-bridge', port: () => 8087, metricsPort: 9468 },
  { name: 'community-svc', port: () => COMMUNITY_SVC_PORT, metricsPort: 9469 },
  { name: 'audit-svc', port: () => 8083, metricsPort: 9470 },
  { name: 'gateway', port: (env) => Number(env.PORT ?? 8080), metricsPort: 9464 },
];

export const gatewayPort = (env = process.env) => SERVICES.find((s) => s.name === 'gateway').port(env);

/** A random secret created once and kept in .stack/jwt-secret, so restarts keep tokens valid. */
function persistentJwtSecret() {
  const file = join(STACK_DIR, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(STACK_DIR, { recursive: true });
  const secret = randomBytes(48).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The environment shared by every service: defaults, then what the user set, then the stack's URLs. */
export function stackEnv({ databaseUrl, natsUrl, redisUrl }) {
  return {
    ...SERVICE_ENV_DEFAULTS,
    AUTH_SVC_URL: `http://127.0.0.1:${AUTH_SVC_PORT}`,
    MACHINE_SVC_URL: `http://127.0.0.1:${MACHINE_SVC_PORT}`,
    TERMINAL_SVC_URL: `http://127.0.0.1:${TERMINAL_SVC_PORT}`,
    COMMUNITY_SVC_URL: `http://127.0.0.1:${COMMUNITY_SVC_PORT}`,
    AUDIT_SVC_URL: 'http://127.0.0.1:8083',
    ...process.env,
    JWT_SECRET: process.env.JWT_SECRET || persistentJwtSecret(),
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    REDIS_URL: redisUrl,
  };
}

const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 30_000;
/** A service that stayed up this long starts its backoff from the beginning again. */
const STABLE_AFTER_MS = 60_000;

/**
 * Starts every service that exists, in order, waiting for each one's /healthz. Afterwards each is
 * supervised: one that crashes is restarted with backoff (1 s, 2 s … 30 s), logged, while the others
 * keep serving. Ctrl-C (the group stopping) ends the supervision.
 */
export async function startServices(group, env) {
  const started = [];
  for (const svc of SERVICES) {
    const entry = join(svc.name, 'src', 'main.ts');
    if (!existsSync(join(ROOT, entry))) {
      warn(`${svc.name}: skipped (${entry} does not exist yet)`);
      continue;
    }
    const port = svc.port(env);
    if (await isListening(port)) throw new StackError(`${svc.name}: port ${port} is already in use by another program`);
    info(`${svc.name}: starting on port ${port}…`);
    const { handle, failure } = await startHealthy(group, svc, entry, env, port);
    if (failure) {
      throw new StackError(`${svc.name} did not become healthy on http://127.0.0.1:${port}/healthz: ${failure}\n` +
        `  its last lines:\n${tailText(handle)}`);
    }
    supervise(group, svc, entry, env, port, handle);
    ok(`${svc.name}: healthy on http://127.0.0.1:${port}`);
    started.push(svc.name);
  }
  return started;
}

async function startHealthy(group, svc, entry, env, port) {
  const handle = group.spawn(svc.name, BIN('tsx'), [entry], { env: { ...env, PORT: String(port), METRICS_PORT: String(svc.metricsPort) } });
  return { handle, failure: await waitForHealthy(`http://127.0.0.1:${port}/healthz`, handle) };
}

function supervise(group, svc, entry, env, port, first) {
  let failures = 0;
  let upSince = Date.now();
  const watch = (handle) => {
    handle.onUnexpectedExit = (h) => {
      if (Date.now() - upSince > STABLE_AFTER_MS) failures = 0;
      const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** failures++);
      warn(`${svc.name} stopped unexpectedly (${h.exited}); restarting it in ${delay / 1000} s — the other services keep serving`);
      setTimeout(() => void restart(), delay);
    };
  };
  const restart = async () => {
    if (group.stopping) return;
    let result;
    try {
      result = await startHealthy(group, svc, entry, env, port);
    } catch {
      return; // Ctrl-C arrived meanwhile
    }
    if (result.failure) {
      if (group.stopping) return;
      warn(`${svc.name} did not come back (${result.failure}); trying again`);
      result.handle.onUnexpectedExit = null;
      const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** failures++);
      setTimeout(() => void restart(), delay);
      return;
    }
    upSince = Date.now();
    ok(`${svc.name}: restarted, healthy on http://127.0.0.1:${port}`);
    watch(result.handle);
  };
  watch(first);
}
