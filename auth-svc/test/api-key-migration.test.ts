import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { runMigrations } from '@webxterm/kit';
import { testEnv } from '@webxterm/testkit';
import { PgUsersRepository } from '../src/store/users.repository';

const DIR = join(__dirname, '../src/store/migrations');
const dbName = `auth_keymig_${randomBytes(4).toString('hex')}`;
let admin: Pool;
let pool: Pool;

beforeAll(async () => {
  const url = new URL(testEnv().databaseUrl);
  admin = new Pool({ connectionString: url.toString(), max: 1 });
  await admin.query(`CREATE DATABASE ${dbName}`);
  url.pathname = `/${dbName}`;
  pool = new Pool({ connectionString: url.toString(), max: 2 });
});
afterAll(async () => {
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.end();
});

describe('migration 0004: API keys become hashes', () => {
  it('hashes the keys a database already holds; the old keys still resolve, by hash only', async () => {
    // The database as it was before: migrations 0001–0003 only, with plain keys in it.
    await pool.query('CREATE SCHEMA auth');
    await pool.query('CREATE TABLE auth.migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const before = readdirSync(DIR).filter((f) => f.endsWith('.sql') && f < '0004').sort();
    expect(before).toEqual(['0001_init.sql', '0002_groups_and_tenant_isolation.sql', '0003_invitations.sql']);
    for (const f of before) {
      await pool.query(readFileSync(join(DIR, f), 'utf8'));
      await pool.query('INSERT INTO auth.migrations (name) VALUES ($1)', [f]);
    }
    const keys = [`vsk_${randomBytes(32).toString('base64url')}`, `vsk_${randomBytes(32).toString('base64url')}`];
    await pool.query("INSERT INTO auth.organizations (id, tenant_id, name) VALUES ('aaaaaaaaaaaaaaaaaaaaaaaa', 'old-org', 'Old')");
    for (const [i, key] of keys.entries()) {
      await pool.query(`INSERT INTO auth.persons (id, email, username, first_name, last_name) VALUES ($1, $2, $3, 'O', 'P')`, [`${i}`.repeat(24), `p${i}@example.com`, `p${i}`]);
      await pool.query(`INSERT INTO auth.memberships (id, person_id, organization_id, role, api_key) VALUES ($1, $1, 'aaaaaaaaaaaaaaaaaaaaaaaa', 'user', $2)`, [`${i}`.repeat(24), key]);
    }

    expect((await runMigrations(pool, 'auth', DIR))[0]).toBe('0004_hashed_api_keys_and_profile.sql');

    const { rows } = await pool.query('SELECT id, api_key_hash, api_key_prefix FROM auth.memberships ORDER BY id');
    expect(rows).toEqual(keys.map((k, i) => ({
      id: `${i}`.repeat(24), api_key_hash: createHash('sha256').update(k).digest('hex'), api_key_prefix: k.slice(0, 8),
    })));
    expect(JSON.stringify((await pool.query('SELECT * FROM auth.memberships')).rows)).not.toContain(keys[0]);
    const repo = new PgUsersRepository(pool);
    expect((await repo.membershipByApiKey(keys[1]))?.id).toBe('1'.repeat(24));
    expect((await repo.membershipByApiKey(keys[0]))?.apiKeyPrefix).toBe(keys[0].slice(0, 8));
    // The stored hash itself is no key.
    expect(await repo.membershipByApiKey(rows[0].api_key_hash)).toBeNull();
    // Applied once: a second run does nothing.
    expect(await runMigrations(pool, 'auth', DIR)).toEqual([]);
  });
});
