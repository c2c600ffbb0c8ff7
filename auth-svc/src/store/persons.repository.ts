import type { Queryable } from '@webxterm/kit';
import { EmailTaken, UsernameTaken } from '../domain/auth.errors';
import type { Person } from '../domain/model';
import type { NewPerson, PersonsRepository } from '../domain/ports';

const PERSON_SELECT = 'SELECT id, email, username, first_name, last_name, email_verified, keycloak_id FROM auth.persons';

const toPerson = (r: Record<string, any>): Person => ({
  id: r.id, email: r.email, username: r.username, firstName: r.first_name, lastName: r.last_name,
  emailVerified: r.email_verified, keycloakId: r.keycloak_id,
});

export class PgPersonsRepository implements PersonsRepository {
  constructor(private readonly db: Queryable) {}

  async byEmail(email: string): Promise<Person | null> {
    const r = await this.db.query(`${PERSON_SELECT} WHERE lower(email) = lower($1)`, [email]);
    return r.rows[0] ? toPerson(r.rows[0]) : null;
  }

  async byUsername(username: string): Promise<Person | null> {
    const r = await this.db.query(`${PERSON_SELECT} WHERE lower(username) = lower($1)`, [username]);
    return r.rows[0] ? toPerson(r.rows[0]) : null;
  }

  /** Two signups racing for one name: the database decides, the loser gets the same 409 as a late one. */
  async insert(p: NewPerson, passwordHash: string): Promise<void> {
    await this.db.query('INSERT INTO auth.persons (id, email, username, first_name, last_name) VALUES ($1, $2, $3, $4, $5)',
      [p.id, p.email, p.username, p.firstName, p.lastName]).catch(mapPersonConflict);
    await this.db.query('INSERT INTO auth.credentials (person_id, password_hash) VALUES ($1, $2)', [p.id, passwordHash]);
  }

  async updateNames(personId: string, f: { firstName?: string; lastName?: string }): Promise<void> {
    await this.db.query('UPDATE auth.persons SET first_name = coalesce($2, first_name), last_name = coalesce($3, last_name) WHERE id = $1',
      [personId, f.firstName ?? null, f.lastName ?? null]);
  }

  async deleteOrphans(): Promise<number> {
    const r = await this.db.query('DELETE FROM auth.persons p WHERE NOT EXISTS (SELECT 1 FROM auth.memberships m WHERE m.person_id = p.id)');
    return r.rowCount ?? 0;
  }
}

function mapPersonConflict(e: { code?: string; constraint?: string }): never {
  if (e.code === '23505' && e.constraint === 'persons_username_key') throw UsernameTaken();
  if (e.code === '23505' && e.constraint === 'persons_email_key') throw EmailTaken();
  throw e;
}
