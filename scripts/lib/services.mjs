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
 * Started in this order, each one healthy before the next. `port(env)` is the PORT it gets.
 * A service whose src/main.ts does not exist yet is skipped.
 */
export const SERVICES = [
  { name: 'auth-svc', port: () => AUTH_SVC_PORT },
  { name: 'machine-svc', port: () => MACHINE_SVC_PORT },
  { name: 'terminal-svc', port: () => TERMINAL_SVC_PORT },
  { name: 'agent-bridge', port: () => 8087 },
  { name: 'community-svc', port: () => COMMUNITY_SVC_PORT },
  { name: 'audit-svc', port: () => 8083 },
  { name: 'gateway', port: (env) => Number(env.PORT ?? 8080) },
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

/** Starts every service that exists, in order, waiting for each one's /healthz; `onUnexpectedExit` covers a later crash. */
export async function startServices(group, env, { onUnexpectedExit }) {
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
    const handle = group.spawn(svc.name, BIN('tsx'), [entry], { env: { ...env, PORT: String(port) } });
    const failure = await waitForHealthy(`http://127.0.0.1:${port}/healthz`, handle);
    if (failure) {
      throw new StackError(`${svc.name} did not become healthy on http://127.0.0.1:${port}/healthz: ${failure}\n` +
        `  its last lines:\n${tailText(handle)}`);
    }
    handle.onUnexpectedExit = onUnexpectedExit;
    ok(`${svc.name}: healthy on http://127.0.0.1:${port}`);
    started.push(svc.name);
  }
  return started;
}
