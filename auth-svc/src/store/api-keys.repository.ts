import type { Queryable } from '@webxterm/kit';
import { apiKeyPrefix, hashApiKey } from '../domain/api-keys';
import type { ApiKeysRepository } from '../domain/ports';

/** The keys of memberships (a column of auth.memberships) and of logins (auth.login_api_keys), kept as hashes. */
export class PgApiKeysRepository implements ApiKeysRepository {
  constructor(private readonly db: Queryable) {}

  async addLoginKey(apiKey: string, userId: string, sid: string): Promise<void> {
    await this.db.query('INSERT INTO auth.login_api_keys (key_hash, user_id, sid) VALUES ($1, $2, $3)', [hashApiKey(apiKey), userId, sid]);
  }

  /** Two statements: run it in `Store.transaction` so no moment has both keys or neither. */
  async replaceMembershipKey(userId: string, apiKey: string): Promise<Date> {
    const r = await this.db.query(
      'UPDATE auth.memberships SET api_key_hash = $2, api_key_prefix = $3, api_key_created_at = now() WHERE id = $1 RETURNING api_key_created_at',
      [userId, hashApiKey(apiKey), apiKeyPrefix(apiKey)]);
    await this.db.query('DELETE FROM auth.login_api_keys WHERE user_id = $1', [userId]);
    return r.rows[0].api_key_created_at as Date;
  }
}
