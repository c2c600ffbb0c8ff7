/**
 * The dashboard (document 000) with a real agent: every figure counts only what the caller may
 * see — the whole organization for its admin, the granted machines for a `user`, nothing of
 * another organization.
 */
import { waitUntil } from '@webxterm/testkit';
import { TermClient } from './lib/term-client';
import { Account, TerminalStack } from './lib/terminal-stack';

jest.setTimeout(60_000);
const stack = new TerminalStack();
let admin: Account;
let member: { token: string; userId: string };
let online: string;
let pending: string;

const get = async (path: string, token: string) => {
  const r = await stack.api(0, 'GET', path, undefined, token);
  expect(r.status).toBe(200);
  return r.body;
};

beforeAll(async () => {
  await stack.start();
  admin = await stack.signup();
  online = await stack.onlineMachine(admin, 'web-1');
  pending = (await stack.api(0, 'POST', '/api/machines', { name: 'db-1' }, admin.token)).body.agent_id;
  const n = `dash${Date.now()}`;
  const u = await stack.api(0, 'POST', '/api/users', { username: n, email: `${n}@example.com`, password: 'member password', first_name: 'M', last_name: 'B' }, admin.token);
  const l = await stack.api(0, 'POST', '/api/auth/login', { email: `${n}@example.com`, password: 'member password' });
  member = { token: l.body.token, userId: u.body.id };
}, 120_000);

afterAll(async () => { await stack.stop(); }, 60_000);

describe('dashboard', () => {
  it("an admin sees the organization's machines by status, open terminals, commands, people and groups", async () => {
    expect((await stack.api(0, 'POST', `/api/machines/${online}/command`, { command: 'true' }, admin.token)).status).toBe(200);
    expect((await stack.api(0, 'POST', `/api/machines/${online}/command`, { command: 'echo hi; exit 4' }, admin.token)).status).toBe(200);
    expect((await stack.api(0, 'POST', '/api/groups', { name: 'ops' }, admin.token)).status).toBe(201);
    const t = await TermClient.open(stack.wsUrl(0, online, admin.token));
    const stats = await get('/api/dashboard/stats', admin.token);
    expect(stats).toMatchObject({
      machines: { total: 2, online: 1, offline: 0, pending: 1 }, total_machines: 2, online_machines: 1, pending_machines: 1,
      active_sessions: 1, commands_24h: 2, commands_7d: 2, users: 2, groups: 1,
    });
    t.close();

    const recent = await get('/api/dashboard/recent-machines', admin.token);
    expect(recent.machines.map((m: any) => m.agent_id)).toEqual([online]);
    expect(recent.machines[0]).toMatchObject({ name: 'web-1', status: 'online' });
    const activity = await get('/api/dashboard/recent-activity', admin.token);
    expect(activity.activities).toEqual([
      expect.objectContaining({ command: 'echo hi; exit 4', exit_code: 4, machine_name: 'web-1', agent_id: online, username: admin.username, source: 'api' }),
      expect.objectContaining({ command: 'true', exit_code: 0 }),
    ]);
  });

  it('a user sees only the machines granted to them, and no organization-wide figures', async () => {
    expect(await get('/api/dashboard/stats', member.token)).toMatchObject({
      machines: { total: 0, online: 0, offline: 0, pending: 0 }, active_sessions: 0, commands_24h: 0, users: null, groups: null,
    });
    expect((await get('/api/dashboard/recent-activity', member.token)).activities).toEqual([]);
    expect((await stack.api(0, 'POST', `/api/machines/${online}/access/grant`, { user_id: member.userId }, admin.token)).status).toBe(200);
    const stats = await get('/api/dashboard/stats', member.token);
    expect(stats).toMatchObject({ machines: { total: 1, online: 1, pending: 0 }, commands_24h: 2 });
    expect((await get('/api/dashboard/recent-machines', member.token)).machines.map((m: any) => m.agent_id)).toEqual([online]);
    expect((await get('/api/dashboard/recent-activity', member.token)).activities).toHaveLength(2);
    expect(pending).toMatch(/^ag_/);
  });

  it('another organization sees none of it', async () => {
    const other = await stack.signup();
    expect(await get('/api/dashboard/stats', other.token)).toMatchObject({
      machines: { total: 0 }, active_sessions: 0, commands_24h: 0, commands_7d: 0, users: 1, groups: 0,
    });
    expect((await get('/api/dashboard/recent-machines', other.token)).machines).toEqual([]);
    expect((await get('/api/dashboard/recent-activity', other.token)).activities).toEqual([]);
  });
});

describe('the commands of a terminal session', () => {
  it('are listed with exit codes and offsets, in the session, the machine logs and its search, and the dashboard', async () => {
    const t = await TermClient.open(stack.wsUrl(0, online, admin.token));
    t.type('echo typed-$((20+22))\r');
    await t.waitForText('typed-42');
    t.type('ls /nonexistent-dir\r');
    await t.waitForText('No such file');
    const commands = await (async () => {
      let list: any[] = [];
      await waitUntil(async () => {
        list = (await get(`/api/sessions/${t.sessionId}`, admin.token)).commands;
        return list.length >= 2;
      }, 15_000, 'two commands logged');
      return list;
    })();
    expect(commands.map((c: any) => [c.command, c.exit_code, c.source])).toEqual([
      ['echo typed-$((20+22))', 0, 'terminal'], ['ls /nonexistent-dir', 2, 'terminal'],
    ]);
    expect(commands[0]).toMatchObject({ session_id: t.sessionId, cwd: expect.stringMatching(/^\//), username: admin.username });
    expect(commands[1].seq).toBeGreaterThan(commands[0].seq);
    expect(commands[1].offset_ms).toBeGreaterThanOrEqual(commands[0].offset_ms);
    const logs = await get(`/api/machines/${online}/logs`, admin.token);
    expect(JSON.stringify(logs)).toContain('ls /nonexistent-dir');
    const found = await get(`/api/machines/${online}/logs/search?q=echo`, admin.token);
    expect(JSON.stringify(found)).toContain('"source":"terminal"');
    // The recording carries each command as a marker, just before the output it started, with the UTF-8 intact.
    t.type('printf "\\342\\202\\254-%.0s" $(seq 1 3000) | head -c 9000; echo\r');
    await t.waitForText('€-€-');
    await waitUntil(async () => (await get(`/api/sessions/${t.sessionId}`, admin.token)).commands.length >= 3, 15_000, 'third command');
    // A live session's recording is what the bridge has stored so far (a batch waits up to 1 s).
    let events: any[] = [];
    await waitUntil(async () => {
      const cast = await fetch(`${stack.gateways[0].url}/api/terminal/sessions/${t.sessionId}/recording`, { headers: { authorization: `Bearer ${admin.token}` } });
      events = (await cast.text()).trim().split('\n').slice(1).map((l) => JSON.parse(l));
      return events.filter((e) => e[1] === 'o').map((e) => e[2]).join('').includes('€-€-');
    }, 15_000, 'the recording holds the third command\'s output');
    const markers = events.filter((e) => e[1] === 'm').map((e) => e[2]);
    expect(markers).toEqual(['echo typed-$((20+22))', 'ls /nonexistent-dir', expect.stringContaining('printf')]);
    const firstMarker = events.findIndex((e) => e[1] === 'm');
    expect(events.slice(firstMarker + 1).map((e) => e[2]).join('')).toContain('typed-42');
    expect(events.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).not.toContain('\uFFFD');
    const activity = await get('/api/dashboard/recent-activity', admin.token);
    expect(activity.activities[1]).toMatchObject({ command: 'ls /nonexistent-dir', source: 'terminal', session_id: t.sessionId, exit_code: 2 });
    t.close();
  });
});

describe('the answers', () => {
  it("every answer of this run's API calls matches its operation in the OpenAPI document", () => {
    expect(stack.described.checked).toBeGreaterThan(5);
    expect(stack.described.problems).toEqual([]);
  });
});
