import Redis from 'ioredis';

export type { Redis };

export function createRedis(url: string): Redis {
  // While disconnected, a command waits for at most two reconnect attempts, then fails.
  return new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
}
