import Redis from 'ioredis';

export type { Redis };

export function createRedis(url: string): Redis {
  // Commands fail fast while disconnected instead of queueing without bound.
  return new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
}
