export interface TestEnv {
  databaseUrl: string;
  natsUrl: string;
  redisUrl: string;
}

/**
 * Where the tests find PostgreSQL, NATS and Redis: the URLs `npm test` exports, or the local
 * defaults. (A testcontainers fallback for machines with a container runtime but no local servers
 * would go here; none of our machines has a container engine, so it is left out — see
 * shared/LIBRARIES.md §8 for the sketch.)
 */
export function testEnv(env: NodeJS.ProcessEnv = process.env): TestEnv {
  return {
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/webxterm_test',
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
  };
}
