import { uniqueName } from '@webxterm/testkit';
import { Harness, startHarness } from './harness';

const email = `${uniqueName('root')}@example.com`;
let h: Harness;
beforeAll(async () => { h = await startHarness({ SUPER_ADMIN_EMAIL: email, SUPER_ADMIN_PASSWORD: 'bootstrap-password' }); });
afterAll(async () => { await h.close(); });

describe('the first super_admin', () => {
  it('is created at start-up from SUPER_ADMIN_EMAIL and SUPER_ADMIN_PASSWORD, in the platform organization', async () => {
    const r = await h.login(email, 'bootstrap-password');
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ email, role: 'super_admin', tenant_id: 'platform' });
  });

  it('is left alone by later starts, even with another password', async () => {
    const again = await startHarness({ SUPER_ADMIN_EMAIL: email, SUPER_ADMIN_PASSWORD: 'another-password' });
    try {
      expect((await again.login(email, 'bootstrap-password')).status).toBe(200);
      expect((await again.login(email, 'another-password')).status).toBe(401);
      const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM auth.persons WHERE email = $1', [email]);
      expect(rows[0].n).toBe(1);
    } finally {
      await again.close();
    }
  });
});
