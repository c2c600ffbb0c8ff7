// Every default of the local stack, in one place. Anything the user sets in the environment wins.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Project-local state (gitignored): database files, logs, the generated JWT secret. */
export const STACK_DIR = join(ROOT, '.stack');
export const BIN = (name) => join(ROOT, 'node_modules', '.bin', name);

/** Ports used when the stack has to start PostgreSQL / Redis / NATS itself (or reuses what answers there). */
export const STACK_PORTS = {
  postgres: Number(process.env.STACK_PG_PORT ?? 5432),
  redis: Number(process.env.STACK_REDIS_PORT ?? 6379),
  nats: Number(process.env.STACK_NATS_PORT ?? 4222),
};

export const DATABASE_NAME = 'webxterm';
export const TEST_DATABASE_NAME = 'webxterm_test';

export const MAILDEV = { smtpPort: 1025, webPort: 1080 };

/** Environment defaults handed to every service; URLs and the JWT secret are added at run time. */
export const SERVICE_ENV_DEFAULTS = {
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: String(MAILDEV.smtpPort),
  SMTP_FROM: 'WebXTerm <no-reply@webxterm.local>',
  SUPER_ADMIN_EMAIL: 'admin@webxterm.local',
  SUPER_ADMIN_PASSWORD: 'change-me-now-please',
};

/** Bounds of the waits, so a stuck dependency fails with a message instead of hanging. */
export const WAIT = { infraMs: 30_000, serviceHealthMs: 30_000, stopMs: 8_000 };
