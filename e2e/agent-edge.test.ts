/**
 * The agent edge (issue 7), over the real gRPC port with real agents: a machine is reached only by
 * the agent holding its own credential, a session only by the agent that opened it, and no input
 * takes an agent down. Terminal bytes cross the whole path unchanged.
 */
import { createHash } from 'node:crypto';
import { waitUntil } from '@webxterm/testkit';
import { ProbeAgent } from './lib/grpc-probe';
import { TermClient } from './lib/term-client';
import { Account, TerminalStack } from './lib/terminal-stack';

jest.setTimeout(60_000);
const stack = new TerminalStack({ 'terminal-svc': { MAX_SESSIONS_PER_USER: '3' } });
const GRPC = { OK: 0, ABORTED: 10, UNAUTHENTICATED: 16, PERMISSION_DENIED: 7 };
let admin: Account;
let plain: Account;
let agentId: string;
const probes: ProbeAgent[] = [];

function probe(bearer: string, id: string, o?: ConstructorParameters<typeof ProbeAgent>[3]): ProbeAgent {
  const p = new ProbeAgent(stack.bridges[0].grpcPort, bearer, id, o);
  probes.push(p);
  return p;
}

const run = (command: string, who = admin, id = agentId) => stack.api(0, 'POST', `/api/machines/${id}/command`, { command }, who.token);

beforeAll(async () => {
  await stack.start();
  admin = await stack.signup();
  const u = { username: `plain${Date.now()}`, email: `plain${Date.now()}@example.com`, password: 'a long enough password', first_name: 'P', last_name: 'U', role: 'user' };
  expect((await stack.api(0, 'POST', '/api/users', u, admin.token)).status).toBe(201);
  const l = await stack.api(0, 'POST', '/api/auth/login', { email: u.email, password: u.password });
  plain = { token: l.body.token, apiKey: l.body.user?.api_key ?? l.body.api_key, userId: l.body.user.id, tenantId: admin.tenantId, username: u.username };
  expect(plain.apiKey).toMatch(/^vsk_/);
  agentId = await stack.onlineMachine(admin, 'real box');
}, 120_000);

afterAll(async () => {
  for (const p of probes) p.close();
  await stack.stop();
}, 60_000);

describe('agent identity', () => {
  it("a plain member's API key cannot pose as an existing machine; the admin's command still reaches the real agent", async () => {
    const impostor = probe(plain.apiKey, agentId);
    await waitUntil(() => impostor.ended !== null, 10_000, 'impostor refused');
    expect(impostor.ended).toMatchObject({ code: GRPC.PERMISSION_DENIED });
    expect(impostor.welcome).toBeUndefined();
    // Not even an admin's API key connects as a registered machine: only the machine's credential does.
    const adminKey = probe(admin.apiKey, agentId);
    await waitUntil(() => adminKey.ended !== null, 10_000, 'api key refused');
    expect(adminKey.ended).toMatchObject({ code: GRPC.UNAUTHENTICATED });
    const r = await run('echo real-$((40+2))');
    expect(r).toMatchObject({ status: 200, body: { output: 'real-42\n', exit_code: 0 } });
    expect((await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, admin.token)).body.status).toBe('online');
  });

  it('a plain member cannot register a machine over gRPC, as POST /api/machines refuses them', async () => {
    expect((await stack.api(0, 'POST', '/api/machines', { name: 'x' }, plain.token)).status).toBe(403);
    const p = probe(plain.apiKey, 'ag_plainmember0001');
    await waitUntil(() => p.ended !== null, 10_000, 'registration refused');
    expect(p.ended).toMatchObject({ code: GRPC.PERMISSION_DENIED });
    expect((await stack.api(0, 'GET', '/api/machines', undefined, admin.token)).body.machines.map((m: any) => m.agent_id)).not.toContain('ag_plainmember0001');
  });

  it('registration hands out a machine credential; a second stream with it replaces the first; deletion revokes it', async () => {
    const id = `ag_probe${Date.now()}`;
    const reg = probe(admin.apiKey, id);
    await waitUntil(() => reg.welcome !== undefined || reg.ended !== null, 10_000, 'welcome');
    const credential = reg.welcome.machine_credential;
    expect(credential).toMatch(/^vmc_[0-9a-f]{48}$/);
    const second = probe(credential, id);
    await waitUntil(() => second.welcome !== undefined && reg.ended !== null, 10_000, 'first stream replaced');
    expect(reg.ended).toMatchObject({ code: GRPC.ABORTED });
    expect(second.welcome.machine_credential).toBe('');
    const forged = probe(`vmc_${'ab'.repeat(24)}`, id);
    await waitUntil(() => forged.ended !== null, 10_000, 'forged credential refused');
    expect(forged.ended).toMatchObject({ code: GRPC.UNAUTHENTICATED });
    expect((await stack.api(0, 'DELETE', `/api/machines/${id}`, undefined, admin.token)).status).toBe(200);
    await waitUntil(() => second.ended !== null, 10_000, 'deleted machine disconnected');
    const again = probe(credential, id);
    await waitUntil(() => again.ended !== null, 10_000, 'revoked credential refused');
    expect(again.ended).toMatchObject({ code: GRPC.UNAUTHENTICATED });
  });

  it("an agent listing another organization's live session in Hello gets none of its keystrokes and cannot write to its screen", async () => {
    const other = await stack.signup();
    const otherAgent = await stack.onlineMachine(other, 'other org box');
    const victim = await TermClient.open(stack.wsUrl(0, otherAgent, other.token));
    const spy = probe(admin.apiKey, `ag_spy${Date.now()}`, { sessions: [victim.sessionId] });
    await waitUntil(() => spy.welcome !== undefined || spy.ended !== null, 10_000, 'spy welcomed');
    expect(spy.welcome).toBeDefined();
    spy.send({ output: { session_id: victim.sessionId, seq: victim.seq + 1, data: Buffer.from('FORGED-OUTPUT') } });
    victim.type('echo typed-$((6*7))\r');
    await victim.waitForText('typed-42');
    expect(victim.text()).not.toContain('FORGED-OUTPUT');
    expect(spy.received.filter((m) => m.input || m.resize || m.close || m.credit)).toEqual([]);
    victim.close();
  });
});

describe('robustness', () => {
  it('a NUL byte in a command is refused and the agent stays up', async () => {
    const r = await run('echo a\u0000b');
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.error).toEqual(expect.any(String));
    expect(await run('echo still-here')).toMatchObject({ status: 200, body: { output: 'still-here\n' } });
  });

  it('commands run concurrently on one machine, up to a limit that answers 429', async () => {
    const slow = run('sleep 4; echo slow');
    const started = Date.now();
    expect(await run('echo quick')).toMatchObject({ status: 200, body: { output: 'quick\n' } });
    expect(Date.now() - started).toBeLessThan(3000);
    const many = await Promise.all(Array.from({ length: 9 }, () => run('sleep 1')));
    expect(many.map((m) => m.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 429, 429]);
    expect(many.find((m) => m.status === 429)!.body.error).toMatch(/already running 8 commands/);
    expect(await slow).toMatchObject({ status: 200, body: { output: 'slow\n' } });
  });

  it('open terminals per person are capped: sockets closed without exit keep their shells, the next one is refused with 429', async () => {
    const someone = await stack.signup();
    const id = await stack.onlineMachine(someone, 'capped box');
    const open: TermClient[] = [];
    for (let i = 0; i < 3; i++) {
      const t = await TermClient.open(stack.wsUrl(0, id, someone.token));
      t.type(`echo shell-${i}\r`);
      await t.waitForText(`shell-${i}\r\n`);
      t.close();
      open.push(t);
    }
    await expect(TermClient.open(stack.wsUrl(0, id, someone.token))).rejects.toMatchObject({ status: 429, body: expect.stringContaining('open terminals') });
    // Resuming one of them still works; ending it makes room for a new one.
    const again = await TermClient.open(stack.wsUrl(0, id, someone.token, `&session_id=${open[0].sessionId}&last_seq=${open[0].seq}`));
    again.type('exit\r');
    await again.waitFor(() => again.controls.some((c) => c.type === 'exit'), 10_000, 'exit');
    await waitUntil(async () => (await stack.api(0, 'GET', `/api/sessions/${open[0].sessionId}`, undefined, someone.token)).body.session?.status === 'closed', 10_000, 'closed');
    const fresh = await TermClient.open(stack.wsUrl(0, id, someone.token));
    fresh.type('echo room\r');
    await fresh.waitForText('room\r\n');
    fresh.close();
  });

  it('bytes through the whole path: every byte value 0-255 out, UTF-8 typed in, checksums equal', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, admin.token));
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const octal = [...all].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
    t.type(`stty raw -echo -opost; printf 'BEG''IN${octal}EN''D'\r`);
    await t.waitForText('END');
    const out = t.output;
    const body = out.subarray(out.indexOf('BEGIN') + 5, out.lastIndexOf('END'));
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(all).digest('hex'));
    t.type('stty sane; printf "%s" "é€😀─" | od -An -tx1 | tr -d " \\n"; echo\r');
    await t.waitForText('c3a9e282acf09f9880e29480');
    t.close();
  });
});
