/**
 * Revoked access closes a terminal that is already open, within a second, on whichever
 * terminal-svc replica holds it: the group change travels auth-svc → machine-svc (projection) →
 * every terminal-svc replica (AccessChanged), which re-checks its open sockets. Real processes.
 */
import { waitUntil } from '@webxterm/testkit';
import { TermClient } from './lib/term-client';
import { Account, TerminalStack } from './lib/terminal-stack';

jest.setTimeout(60_000);
const stack = new TerminalStack();
let admin: Account;
let agentId: string;

beforeAll(async () => {
  await stack.start();
  admin = await stack.signup();
  agentId = await stack.onlineMachine(admin, 'shared box', 'root');
}, 120_000);

afterAll(async () => { await stack.stop(); }, 60_000);

async function member(): Promise<{ token: string; userId: string }> {
  const n = `m${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const u = await stack.api(0, 'POST', '/api/users', { username: n, email: `${n}@example.com`, password: 'member password', first_name: 'M', last_name: 'B' }, admin.token);
  const l = await stack.api(0, 'POST', '/api/auth/login', { email: `${n}@example.com`, password: 'member password' });
  return { token: l.body.token, userId: u.body.id };
}

describe('access revoked while a terminal is open', () => {
  it('removing the user from the group closes their open terminal within a second, on both replicas', async () => {
    const m = await member();
    const g = (await stack.api(0, 'POST', '/api/groups', { name: 'ops' }, admin.token)).body;
    await stack.api(0, 'POST', `/api/groups/${g.id}/machines`, { machine_ids: [agentId] }, admin.token);
    await stack.api(0, 'POST', `/api/groups/${g.id}/members`, { user_id: m.userId }, admin.token);
    await waitUntil(async () => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, m.token)).status === 200, 5000, 'group access reaches machine-svc');
    const owners = await TermClient.open(stack.wsUrl(0, agentId, admin.token));
    owners.type("echo still''here\r");
    await owners.waitForText('stillhere\r\n');
    const terminals = [await TermClient.open(stack.wsUrl(0, agentId, m.token)), await TermClient.open(stack.wsUrl(1, agentId, m.token))];
    for (const t of terminals) {
      t.type("echo in''side\r");
      await t.waitForText('inside\r\n');
    }

    const t0 = Date.now();
    expect((await stack.api(0, 'DELETE', `/api/groups/${g.id}/members`, { user_id: m.userId }, admin.token)).status).toBe(200);
    for (const t of terminals) {
      await t.waitFor(() => t.closed !== null, 1000, 'terminal closed');
      expect(t.closed).toMatchObject({ code: 4403 });
      expect(t.controls).toContainEqual({ type: 'error', error: 'Access to this machine was revoked' });
    }
    console.log(`access revocation: open terminals closed ${Date.now() - t0} ms after the change`);
    // The admin's own terminal on the same machine stays open, and the user cannot open a new one.
    owners.type("echo after''wards\r");
    await owners.waitForText('afterwards\r\n');
    expect(owners.closed).toBeNull();
    await expect(TermClient.open(stack.wsUrl(1, agentId, m.token))).rejects.toMatchObject({ status: 404 });
  });

  it('revoking a direct grant closes the open terminal too', async () => {
    const m = await member();
    expect((await stack.api(0, 'POST', `/api/machines/${agentId}/access/grant`, { user_id: m.userId }, admin.token)).status).toBe(200);
    const t = await TermClient.open(stack.wsUrl(1, agentId, m.token));
    t.type("echo gran''ted\r");
    await t.waitForText('granted\r\n');
    expect((await stack.api(0, 'POST', `/api/machines/${agentId}/access/revoke`, { user_id: m.userId }, admin.token)).status).toBe(200);
    await t.waitFor(() => t.closed !== null, 1000, 'terminal closed');
    expect(t.closed).toMatchObject({ code: 4403 });
  });
});

describe('an open terminal lives no longer than the login that opened it', () => {
  async function memberAdmin(): Promise<{ token: string; userId: string; terminals: TermClient[] }> {
    const m = await member();
    expect((await stack.api(0, 'PUT', `/api/users/${m.userId}`, { role: 'company_admin' }, admin.token)).status).toBe(200);
    const n = (await stack.api(0, 'GET', `/api/users/${m.userId}`, undefined, admin.token)).body;
    const l = await stack.api(0, 'POST', '/api/auth/login', { email: n.email, password: 'member password' });
    expect(l.body.user?.role ?? l.body.role).toBe('company_admin');
    const terminals = [await TermClient.open(stack.wsUrl(0, agentId, l.body.token)), await TermClient.open(stack.wsUrl(1, agentId, l.body.token))];
    for (const t of terminals) {
      t.type("echo admin''shell\r");
      await t.waitForText('adminshell\r\n');
    }
    return { token: l.body.token, userId: m.userId, terminals };
  }

  async function closedWithinASecond(terminals: TermClient[], what: string): Promise<void> {
    const t0 = Date.now();
    for (const t of terminals) {
      await t.waitFor(() => t.closed !== null, 1000, `terminal closed after ${what}`);
      expect(t.closed).toMatchObject({ code: 4401 });
    }
    console.log(`${what}: open terminals on both replicas closed ${Date.now() - t0} ms after the answer`);
  }

  it('logout closes them on every replica', async () => {
    const m = await memberAdmin();
    expect((await stack.api(0, 'POST', '/api/auth/logout', undefined, m.token)).status).toBe(200);
    await closedWithinASecond(m.terminals, 'logout');
  });

  it('deleting the person closes them', async () => {
    const m = await memberAdmin();
    expect((await stack.api(0, 'DELETE', `/api/users/${m.userId}`, undefined, admin.token)).status).toBe(200);
    await closedWithinASecond(m.terminals, 'deletion');
  });

  it('demotion to user without a grant closes them, and the old token opens nothing', async () => {
    const m = await memberAdmin();
    expect((await stack.api(0, 'PUT', `/api/users/${m.userId}`, { role: 'user' }, admin.token)).status).toBe(200);
    await closedWithinASecond(m.terminals, 'demotion');
    await expect(TermClient.open(stack.wsUrl(1, agentId, m.token))).rejects.toMatchObject({ status: 401 });
  });
});
