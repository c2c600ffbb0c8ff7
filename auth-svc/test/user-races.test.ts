/** Creating the same person several times at once: one creation wins, the others answer 409, never 500. */
import { uniqueName } from '@webxterm/testkit';
import { Harness, startHarness } from './harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

const person = () => {
  const n = uniqueName('race');
  return { username: n, email: `${n}@example.com`, password: 'password-123', first_name: 'Race', last_name: 'Condition' };
};

describe('parallel POST /api/users of one person', () => {
  it('five at once in one organization: one 201, four 409 (five rounds)', async () => {
    const a = await h.admin();
    for (let round = 0; round < 5; round++) {
      const p = person();
      const answers = await Promise.all(Array.from({ length: 5 }, () => h.post('/api/users', p, a.headers)));
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409]);
      for (const r of answers.filter((x) => x.status === 409)) expect(typeof r.body.error).toBe('string');
      const users = (await h.call('GET', '/api/users', undefined, a.headers)).body.users;
      expect(users.filter((u: any) => u.username === p.username)).toHaveLength(1);
    }
  });

  it('five at once of a person who already exists elsewhere (an invitation): one 201, four 409 (five rounds)', async () => {
    const b = await h.admin();
    for (let round = 0; round < 5; round++) {
      const a = await h.admin();
      const p = { username: uniqueName('inv'), email: a.email, password: 'ignored-password', first_name: 'X', last_name: 'Y' };
      const statuses = (await Promise.all(Array.from({ length: 5 }, () => h.post('/api/users', p, b.headers)))).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409]);
    }
  });

  it('the same new person in two organizations at once: no 500, and one person', async () => {
    const [a, b] = [await h.admin(), await h.admin()];
    for (let round = 0; round < 3; round++) {
      const p = person();
      const answers = await Promise.all([a, b, a, b].map((x) => h.post('/api/users', p, x.headers)));
      expect(answers.every((r) => r.status === 201 || r.status === 409)).toBe(true);
      const persons = await h.pool.query('SELECT count(*)::int AS n FROM auth.persons WHERE lower(email) = lower($1)', [p.email]);
      expect(persons.rows[0].n).toBe(1);
    }
  });
});
