import { createHash, randomBytes } from 'node:crypto';

/** A new API key: `vsk_` and 32 random bytes (base64url, 43 characters). */
export function newApiKey(): string {
  return `vsk_${randomBytes(32).toString('base64url')}`;
}

/**
 * How a key is kept: SHA-256, hex. The key is 256 random bits, so a slow password hash would add
 * nothing but cost to every agent registration; a leaked table still gives no usable key.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The readable start of a key ("vsk_AbCd"), enough to tell keys apart, far too little to use. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, 8);
}

/** What answers show of a key that is not being handed out: its prefix and an ellipsis. */
export function maskedApiKey(prefix: string): string {
  return prefix ? `${prefix}…` : '';
}
