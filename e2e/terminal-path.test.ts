/**
 * The terminal path end to end with real processes: a private NATS, auth-svc, machine-svc, two
 * terminal-svc and two agent-bridge replicas, two gateways, and a real `vsay-agent` with real PTYs.
 * The browser socket goes through gateway A to terminal-svc A; the agent sits on bridge B.
 */
import { createHash } from 'node:crypto';
import { TermClient } from './lib/term-client';
import { Account, TerminalStack, until } from './lib/terminal-stack';

jest.setTimeout(60_000);
const stack = new TerminalStack();
let owner: Account;
let agentId: string;

beforeAll(async () => {
  await stack.start();
  owner = await stack.signup();
  const created = await stack.api(0, 'POST', '/api/machines', { name: 'e2e box', linux_user: 'root' }, owner.token);
  expect(created.status).toBe(201);
  expect(created.body.command).toContain(`--registration-token ${created.body.registration_token}`);
  expect(created.body.status).toBe('pending');
  await stack.startAgent(owner, created.body.registration_token, [1, 0]);
  // Registration replaces the agent's own id with the machine's.
  agentId = created.body.agent_id;
  await until(async () => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status === 'online', 20_000,
    `machine online; agent log: ${stack.agentLogs.join('\n')}`);
}, 120_000);

afterAll(async () => { await stack.stop(); }, 60_000);

describe('terminal through the gateway', () => {
  it('echo hello, resize and stty size, exit 3 recorded', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token, '&cols=100&rows=30'));
    t.type('echo hel""lo\r');
    await t.waitForText('hello\r\n'); // the typed line shows as hel""lo
    t.control({ type: 'resize', cols: 120, rows: 40 });
    t.type('stty size\r');
    await t.waitForText('40 120');
    t.type('exit 3\r');
    await t.waitFor(() => t.controls.some((c) => c.type === 'exit'), 10_000, 'exit');
    expect(t.controls.find((c) => c.type === 'exit')).toMatchObject({ code: 3 });
    const rec = await until(async () => {
      const r = await stack.api(0, 'GET', `/api/sessions/${t.sessionId}`, undefined, owner.token);
      return r.body.session?.exit_code === 3 ? r.body.session : undefined;
    }, 10_000, 'exit code recorded');
    expect(rec).toMatchObject({ status: 'closed', agent_id: agentId, user_id: owner.userId, linux_user: 'root' });
    expect(rec.bytes_out).toBeGreaterThan(0);
  });

  it('POST /command runs on the agent and is logged and searchable', async () => {
    const r = await stack.api(0, 'POST', `/api/machines/${agentId}/command`, { command: 'echo from-exec; exit 4' }, owner.token);
    expect(r).toMatchObject({ status: 200, body: { output: 'from-exec\n', exit_code: 4 } });
    const found = await stack.api(0, 'GET', `/api/machines/${agentId}/logs/search?q=from-exec`, undefined, owner.token);
    expect(found.body.total).toBe(1);
  });
});
