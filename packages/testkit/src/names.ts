import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `prefix` + 8 random lowercase letters/digits, so parallel test files never pick the same name. */
export function uniqueName(prefix: string): string {
  const suffix = Array.from(randomBytes(8), (b) => ALPHABET[b % ALPHABET.length]).join('');
  return `${prefix}${suffix}`;
}
