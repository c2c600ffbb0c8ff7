import argon2 from 'argon2';
import type { Pool } from 'pg';
import type { CredentialStore } from '../domain/ports';

export interface Argon2Cost { memoryCost: number; timeCost: number }

/**
 * Passwords as argon2id hashes in PostgreSQL. An unknown person is checked against a dummy hash of
 * the same cost, so the answer takes as long whether or not the account exists.
 */
export class BuiltinCredentialStore implements CredentialStore {
  private dummyHash: Promise<string>;
  private readonly options: argon2.HashOptions & { raw: false };

  constructor(private readonly pool: Pool, cost: Argon2Cost) {
    this.options = { type: argon2.argon2id, memoryCost: cost.memoryCost, timeCost: cost.timeCost, parallelism: 1, raw: false };
    this.dummyHash = argon2.hash('not-a-real-password-0000', this.options);
  }

  prepare(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async replace(personId: string, preparedHash: string): Promise<void> {
    await this.pool.query('UPDATE auth.credentials SET password_hash = $2, updated_at = now() WHERE person_id = $1', [personId, preparedHash]);
  }

  async verify(personId: string | null, password: string): Promise<boolean> {
    const row = personId
      ? (await this.pool.query('SELECT password_hash FROM auth.credentials WHERE person_id = $1', [personId])).rows[0]
      : undefined;
    const hash: string = row?.password_hash ?? (await this.dummyHash);
    const ok = await argon2.verify(hash, password).catch(() => false);
    if (ok && row && argon2.needsRehash(hash, this.options)) {
      await this.pool.query('UPDATE auth.credentials SET password_hash = $2, updated_at = now() WHERE person_id = $1',
        [personId, await argon2.hash(password, this.options)]);
    }
    return ok && row !== undefined;
  }
}
