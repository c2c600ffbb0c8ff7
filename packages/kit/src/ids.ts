import { randomBytes } from 'node:crypto';

/** A 24-hex id shaped like a MongoDB ObjectID: 4 bytes of seconds, then 8 random bytes. */
export function objectId(now = Date.now()): string {
  const ts = Math.floor(now / 1000).toString(16).padStart(8, '0');
  return ts + randomBytes(8).toString('hex');
}

export const OBJECT_ID = /^[0-9a-f]{24}$/;
