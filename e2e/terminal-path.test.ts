/**
 * The terminal path end to end with real processes: a private NATS, auth-svc, machine-svc, two
 * terminal-svc and two agent-bridge replicas, two gateways, and a real `vsay-agent` with real PTYs.
 * The browser socket goes through gateway A to terminal-svc A; the agent sits on bridge B.
 */
import { createHash } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type AuditEvent, AuditRecorded } from '@webxterm/contracts';
import { createPool } from '@webxterm/kit';
import { bytesWrittenBy, killTree, startServiceProcess, testEnv, waitUntil } from '@webxterm/testkit';
import { nodePidOf, usage } from '../bench/terminal-lib';
import { connectOnce } from './lib/grpc-probe';
import { TermClient } from './lib/term-client';
import { Account, TerminalStack } from './lib/terminal-stack';

jest.setTimeout(60_000);
/**
 * Sessions of an agent away for 15 s are closed as lost (an hour and five minutes by default), so the
 * test of it is short; a machine may hold 400 sessions, so an agent can hold more than a hello once carried.
 */
const stack = new TerminalStack({ 'terminal-svc': {
  AGENT_AWAY_MAX_MS: '15000', LOST_SESSION_SWEEP_MS: '500', MAX_SESSIONS_PER_MACHINE: '400', MAX_SESSIONS_PER_USER: '400',
} });
const db = createPool(testEnv().databaseUrl, 1);
/** When terminal-svc last handled the agent's connecting (after closing what its hello did not list). */
const connectedAt = async (agentId: string) =>
  (await db.query('SELECT online_at FROM terminal.agent_presence WHERE agent_id = $1', [agentId])).rows[0]?.online_at?.getTime() ?? 0;

let owner: Account;
let agentId: string;
/** The audit events published on the stack's NATS (no audit-svc here), and the `terminal.end` ones of a session. */
let auditNats: NatsConnection;
const audited: AuditEvent[] = [];
const endsOf = (sessionId: string) => audited.filter((e) => e.action === 'terminal.end' && e.resource === sessionId);

beforeAll(async () => {
  await stack.start();
  auditNats = await connect({ servers: stack.nats.url });
  auditNats.subscribe(AuditRecorded.filter, { callback: (_e, m) => { audited.push(m.json<AuditEvent>()); } });
  owner = await stack.signup();
  const created = await stack.api(0, 'POST', '/api/machines', { name: 'e2e box', linux_user: 'nobody' }, owner.token);
  expect(created.status).toBe(201);
  expect(created.body.command).toContain(`--registration-token ${created.body.registration_token}`);
  expect(created.body.status).toBe('pending');
  await stack.startAgent(owner, created.body.registration_token);
  // Registration replaces the agent's own id with the machine's.
  agentId = created.body.agent_id;
  await waitUntil(async () => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status === 'online', 20_000,
    `machine online; agent log: ${stack.agentLogs.join('\n')}`);
}, 120_000);

/** The owner's active sessions, as GET /api/terminal/sessions lists them. */
const activeSessions = async () => ((await stack.api(0, 'GET', '/api/terminal/sessions', undefined, owner.token)).body.sessions as { id: string }[]).map((s) => s.id);

/** Whether bridge `i` holds the agent's stream (its GET /agents lists it). */
const bridgeHolds = async (i: number) => ((await (await fetch(`${stack.bridges[i].url}/agents`)).json()).agents as string[]).includes(agentId);

/** A session that printed something and whose socket was then closed: its shell waits to be resumed. */
async function leftSession(): Promise<TermClient> {
  const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
  t.type('echo be""fore\r');
  await t.waitForText('before\r\n');
  t.close();
  return t;
}

afterAll(async () => { await auditNats?.close(); await db.end(); await stack.stop(); }, 60_000);

describe('terminal through the gateway', () => {
  it('echo hello, resize and stty size, exit 3 recorded', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token, '&cols=100&rows=30'));
    t.type('echo hel""lo\r');
    await t.waitForText('hello\r\n'); // the typed line shows as hel""lo
    t.type('id -un\r');
    await t.waitForText(/[\r\n\x07]nobody\r\n/); // after a newline, or after the shell integration's start mark
    t.control({ type: 'resize', cols: 120, rows: 40 });
    t.type('stty size\r');
    await t.waitForText('40 120');
    t.type('exit 3\r');
    await t.waitFor(() => t.controls.some((c) => c.type === 'exit'), 10_000, 'exit');
    expect(t.controls.find((c) => c.type === 'exit')).toMatchObject({ code: 3 });
    const rec = await waitUntil(async () => {
      const r = await stack.api(0, 'GET', `/api/sessions/${t.sessionId}`, undefined, owner.token);
      return r.body.session?.exit_code === 3 ? r.body.session : undefined;
    }, 10_000, 'exit code recorded');
    // The agent runs as root and switched to the configured user for real.
    expect(rec).toMatchObject({ status: 'closed', agent_id: agentId, user_id: owner.userId, linux_user: 'nobody' });
    expect(rec.bytes_out).toBeGreaterThan(0);
    // Its end is audited once, as the owner's session whose shell exited.
    await waitUntil(() => endsOf(t.sessionId).length > 0, 10_000, 'terminal.end audited');
    expect(endsOf(t.sessionId)).toEqual([expect.objectContaining({
      source: 'terminal-svc', actor: expect.objectContaining({ user_id: owner.userId }),
      details: expect.objectContaining({ how: 'exited', exit_code: 3, agent_id: agentId, linux_user: 'nobody', bytes: rec.bytes_out }),
    })]);
    // The resize is written beside the session's end, not in one transaction with it: wait for it.
    const recording = async () => {
      const cast = await fetch(`${stack.gateways[0].url}/api/terminal/sessions/${t.sessionId}/recording`, { headers: { authorization: `Bearer ${owner.token}` } });
      expect(cast.headers.get('content-type')).toContain('application/x-asciicast');
      return (await cast.text()).trim().split('\n').map((l) => JSON.parse(l));
    };
    const [header, ...events] = await waitUntil(async () => {
      const lines = await recording();
      return lines.some((e) => e[1] === 'r') ? lines : undefined;
    }, 10_000, 'the resize in the recording');
    expect(header).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(events.map((e) => e[2]).join('')).toContain('hello\r\n');
    // Output, a marker where each command typed began (the shell integration's), and the resize.
    expect(events.every((e) => ['o', 'm', 'r'].includes(e[1]) && e[0] >= 0)).toBe(true);
    expect(events.filter((e) => e[1] === 'r').map((e) => e[2])).toEqual(['120x40']);
    const at = (re: RegExp) => events.findIndex((e) => e[1] === 'o' && re.test(e[2]));
    const resizedAt = events.findIndex((e) => e[1] === 'r');
    expect(resizedAt).toBeGreaterThan(at(/nobody/)); // after what was printed before it,
    expect(resizedAt).toBeLessThan(at(/40 120/)); // before what stty printed at the new size
    expect(events[resizedAt][0]).toBeLessThanOrEqual(events[at(/40 120/)][0]);
  });

  it('a new terminal shows its prompt without a keystroke, every time (the prompt may come before the socket is ready)', async () => {
    for (let i = 0; i < 8; i++) {
      const t = await TermClient.open(stack.wsUrl(i % 2, agentId, owner.token));
      await t.waitFor(() => t.bytes > 0, 10_000, `open ${i + 1}: the shell's first output, nothing typed`);
      t.type('exit\r');
      await t.waitFor(() => t.closed !== null, 10_000, `open ${i + 1}: exit`);
    }
  });

  it('GET /api/terminal/sessions lists the live session; DELETE closes it wherever it runs', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    const list = await stack.api(1, 'GET', '/api/terminal/sessions', undefined, owner.token);
    expect(list.body.sessions.map((x: any) => x.id)).toContain(t.sessionId);
    expect((await stack.api(1, 'DELETE', `/api/terminal/sessions/${t.sessionId}`, undefined, owner.token)).status).toBe(200);
    await t.waitFor(() => t.controls.some((c) => c.type === 'exit'), 10_000, 'exit after DELETE');
    const after = await stack.api(1, 'GET', '/api/terminal/sessions', undefined, owner.token);
    expect(after.body.sessions.map((x: any) => x.id)).not.toContain(t.sessionId);
    // Audited once, with who ended it and from where (the shell's exit that follows is not a second end).
    await waitUntil(() => endsOf(t.sessionId).length > 0, 10_000, 'terminal.end audited');
    expect(endsOf(t.sessionId)).toEqual([expect.objectContaining({
      actor: expect.objectContaining({ user_id: owner.userId, role: expect.any(String) }), client_ip: expect.stringMatching(/127\.0\.0\.1/),
      details: expect.objectContaining({ how: 'ended', owner_id: owner.userId }),
    })]);
    expect((await stack.api(0, 'GET', `/api/machines/${agentId}/sessions`, undefined, owner.token)).body.sessions.length).toBeGreaterThanOrEqual(2);
  });

  it('the agent sits on bridge B (learnt from GET /api/agent/bootstrap) while the socket went through terminal-svc A', async () => {
    const agents = async (i: number) => (await (await fetch(`${stack.bridges[i].url}/agents`)).json()).agents;
    expect(await agents(1)).toEqual([agentId]);
    expect(await agents(0)).toEqual([]);
    const boot = await stack.api(0, 'GET', '/api/agent/bootstrap');
    expect(boot.body.grpc_address).toBe(`127.0.0.1:${stack.bridges[1].grpcPort},127.0.0.1:${stack.bridges[0].grpcPort}`);
  });

  it('POST /command runs on the agent and is logged and searchable', async () => {
    const r = await stack.api(0, 'POST', `/api/machines/${agentId}/command`, { command: 'echo from-exec; exit 4' }, owner.token);
    expect(r).toMatchObject({ status: 200, body: { output: 'from-exec\n', exit_code: 4 } });
    const found = await stack.api(0, 'GET', `/api/machines/${agentId}/logs/search?q=from-exec`, undefined, owner.token);
    expect(found.body.total).toBe(1);
  });
});

/** What `seq 1 n` prints through a PTY (onlcr: \r\n line ends). */
function seqOutput(n: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) lines.push(String(i));
  return `${lines.join('\r\n')}\r\n`;
}
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The output between the START and END markers (the command line itself spells them split). */
function between(text: string): string {
  const start = text.search(/[^"]START\r\n/);
  const end = text.indexOf('\nEND\r\n', start);
  return start < 0 || end < 0 ? '' : text.slice(start + 1 + 'START\r\n'.length, end + 1);
}

describe('viewers and failover', () => {
  it('a viewer joins through the other replica, sees the output and cannot type', async () => {
    const t = await TermClient.open(stack.wsUrl(1, agentId, owner.token));
    const v = await TermClient.open(stack.wsUrl(0, agentId, owner.token, `&session_id=${t.sessionId}&mode=view`));
    t.type('echo vi""ewer-sees-this\r');
    await v.waitForText('viewer-sees-this\r\n');
    v.type('echo nope\r');
    await v.waitFor(() => v.controls.some((c) => c.type === 'error' && /read-only/.test(c.error)), 5000, 'read-only error');
    t.close();
    v.close();
  });

  it('a browser that resumes while output it missed is not stored yet gets it without anything more being printed', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    const v = await TermClient.open(stack.wsUrl(1, agentId, owner.token, `&session_id=${t.sessionId}&mode=view`));
    t.type('sleep 2; echo la""te-$((2*3))\r');
    await t.waitForText('sleep 2; echo la""te');
    t.close();
    await t.waitFor(() => t.closed !== null, 5000, 'socket closed');
    await v.waitForText('late-6\r\n'); // printed live while the owner was away; the bridge stores it within a second
    await t.connect(stack.wsUrl(0, agentId, owner.token, `&session_id=${t.sessionId}&last_seq=${t.seq}`));
    await t.waitForText('late-6\r\n', 10_000);
    expect(t.text().match(/late-6\r\n/g)).toHaveLength(1);
    t.close();
    v.close();
  });

  it('kill the terminal-svc replica holding the socket mid-output: resume on the other, nothing lost, nothing repeated', async () => {
    const N = 1_000_000;
    const t = await TermClient.open(stack.wsUrl(1, agentId, owner.token));
    t.type(`echo ST""ART; seq 1 ${N}; echo E""ND\r`);
    await t.waitFor(() => t.bytes > 200_000, 20_000, 'some output');
    killTree(stack.terminals[1].child.pid!);
    await t.waitFor(() => t.closed !== null, 10_000, 'socket closed');
    const seenBefore = t.seq;
    await t.connect(stack.wsUrl(0, agentId, owner.token, `&session_id=${t.sessionId}&last_seq=${t.seq}`));
    expect(t.seq).toBe(seenBefore);
    await t.waitForText('\nEND\r\n', 30_000).catch((e) => {
      // What the platform said meanwhile (warnings and up), for an intermittent stall seen in CI.
      const tail = (s: string) => s.slice(-3000);
      throw new Error([(e as Error).message, ...stack.bridges.map((b, i) => `bridge ${i}: ${tail(b.output())}`),
        `terminal-svc 0: ${tail(stack.terminals[0].output())}`, `agent: ${tail(stack.agentLogs.join('\n'))}`].join('\n---\n'));
    });
    expect(sha(between(t.text()))).toBe(sha(seqOutput(N)));
    t.close();
  });

  it('SIGTERM on a terminal-svc replica closes its sockets with 1012 and they resume on another', async () => {
    // The replica killed above comes back on its port (gateway B points there).
    stack.terminals[1] = await startServiceProcess('terminal-svc', { ...stack.serviceEnv(), PORT: String(stack.terminals[1].port) });
    const t = await TermClient.open(stack.wsUrl(1, agentId, owner.token));
    t.type('echo be""fore\r');
    await t.waitForText('before\r\n');
    await stack.terminals[1].stop('SIGTERM');
    await t.waitFor(() => t.closed !== null, 10_000, 'socket closed');
    expect(t.closed!.code).toBe(1012);
    await t.connect(stack.wsUrl(0, agentId, owner.token, `&session_id=${t.sessionId}&last_seq=${t.seq}`));
    t.type('echo af""ter\r');
    await t.waitForText('after\r\n');
    expect(t.text().match(/[\r\x07]before\r\n/g)).toHaveLength(1); // a line starts after \r, or after a command's start mark
    t.close();
  });

  it('kill the bridge replica holding the agent with 300 sessions: it reconnects to the other and every session goes on', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    t.type('echo one-$((1+1))\r');
    await t.waitForText('one-2\r\n');
    // More sessions than a hello once carried (256): the ones past it were closed as lost on reconnect.
    const more: TermClient[] = [];
    while (more.length < 299) more.push(...await Promise.all(Array.from({ length: Math.min(25, 299 - more.length) }, () => TermClient.open(stack.wsUrl(0, agentId, owner.token)))));
    const holder = (await bridgeHolds(0)) ? 0 : 1;
    const other = 1 - holder;
    const killedAt = Date.now();
    killTree(stack.bridges[holder].child.pid!);
    await waitUntil(() => bridgeHolds(other), 20_000, 'agent on the other bridge');
    await waitUntil(async () => (await connectedAt(agentId)) >= killedAt, 20_000, 'terminal-svc handled the reconnection');
    const active = new Set(await activeSessions());
    expect([t, ...more].filter((c) => !active.has(c.sessionId)).map((c) => c.sessionId)).toEqual([]);
    const last = more[more.length - 1];
    last.type('echo la""st-$((3+3))\r');
    await last.waitForText('last-6\r\n');
    for (const c of more) c.type('exit\r');
    await waitUntil(() => more.every((c) => c.controls.some((m) => m.type === 'exit')), 30_000, 'the 299 sessions exited');
    for (const c of more) c.close();
    t.type('echo two-$((2+2))\r');
    await t.waitForText('two-4\r\n');
    expect(t.closed).toBeNull();
    await stack.startBridge(holder, stack.bridges[holder].grpcPort);
    t.close();
  });

  it('keys typed while the bridge holding the agent is killed, before the agent is back: typed once each, in order', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    t.type('echo in');
    t.type('-');
    await t.waitForText('echo in-');
    const holder = (await bridgeHolds(0)) ? 0 : 1;
    killTree(stack.bridges[holder].child.pid!);
    // No bridge reaches the agent now: these go to the dead bridge or to nobody, one frame each.
    for (const k of 'abcdefghij') t.type(k);
    await waitUntil(() => bridgeHolds(1 - holder), 20_000, 'agent on the other bridge');
    t.type('\r');
    await t.waitForText('in-abcdefghij\r\n');
    t.type('echo af""ter\r');
    await t.waitForText('after\r\n');
    // The shell ran exactly this line, once: the keys typed before the kill, sent again, were not typed twice.
    expect(t.text().match(/\x1b\]633;E;[^;]*;/g)).toEqual(['\x1b]633;E;echo in-abcdefghij;', '\x1b]633;E;echo af""ter;']);
    t.close();
    await stack.startBridge(holder, stack.bridges[holder].grpcPort);
  });

  it('with no bridge up, the owner is told its keys reach no agent, then that it is back; the keys are typed then', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    t.type('echo up""-here\r');
    await t.waitForText('up-here\r\n');
    const agentSays = (connected: boolean) => () => t.controls.some((c) => c.type === 'agent' && c.connected === connected);
    expect(agentSays(false)()).toBe(false);
    stack.killBridges();
    t.type('echo away-$((2+3))\r');
    await t.waitFor(agentSays(false), 10_000, 'told the agent is away');
    await stack.restartBridges();
    await t.waitFor(agentSays(true), 30_000, 'told the agent is back');
    await t.waitForText('away-5\r\n', 10_000);
    t.close();
  });

  it('restart NATS: sessions, commands and status recover without a manual step', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    t.type('echo before-$((1+2))\r');
    await t.waitForText('before-3\r\n');
    await stack.nats.restart(1000);
    // A browser reconnects on its own when its socket drops; the session resumes from its last seq.
    // Typed again every 500 ms until its output comes back.
    const typed = async () => {
      if (t.text().includes('after-6\r\n')) return true;
      if (t.closed) await t.connect(stack.wsUrl(0, agentId, owner.token, `&session_id=${t.sessionId}&last_seq=${t.seq}`)).catch(() => undefined);
      if (!t.closed) t.type('echo after-$((3+3))\r');
      return false;
    };
    await waitUntil(typed, 30_000, 'typing works after the NATS restart', 500);
    const cmd = await waitUntil(async () => {
      const r = await stack.api(0, 'POST', `/api/machines/${agentId}/command`, { command: 'echo ok' }, owner.token);
      return r.status === 200 ? r : undefined;
    }, 20_000, 'commands after the NATS restart');
    expect(cmd.body.output).toBe('ok\n');
    t.close();
    // A new session opens through both replicas' resubscribed handlers, and the status held.
    const fresh = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    fresh.type('echo fresh-$((4+4))\r');
    await fresh.waitForText('fresh-8\r\n');
    fresh.close();
    await waitUntil(async () => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status === 'online', 10_000, 'online');
  });

  it('restart NATS while a terminal prints a numbered line every 50 ms: every line arrives once, in order, and in the recording', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    t.type('for i in $(seq 1 120); do echo line-$i; sleep 0.05; done; echo DO""NE\r');
    await t.waitForText('line-20\r\n');
    await stack.nats.restart(500);
    // The browser reconnects by itself and resumes from its last seq, as the console does.
    await waitUntil(async () => {
      if (t.closed) await t.connect(stack.wsUrl(0, agentId, owner.token, `&session_id=${t.sessionId}&last_seq=${t.seq}`)).catch(() => undefined);
      return t.text().includes('DONE\r\n');
    }, 30_000, () => `the loop finished on screen; tail ${JSON.stringify(t.text().slice(-200))}`);
    const lines = [...t.text().matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1]));
    expect(lines).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    const sessionId = t.sessionId;
    t.type('exit\r');
    await waitUntil(async () => (await stack.api(0, 'GET', `/api/sessions/${sessionId}`, undefined, owner.token)).body.session?.status === 'closed', 10_000, 'closed');
    const cast = await fetch(`${stack.gateways[0].url}/api/terminal/sessions/${sessionId}/recording`, { headers: { authorization: `Bearer ${owner.token}` } });
    const recorded = (await cast.text()).trim().split('\n').slice(1).map((l) => JSON.parse(l)[2]).join('');
    expect([...recorded.matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1]))).toEqual(lines);
  });
});

describe('flow control', () => {
  it('a browser that stops reading while `cat /dev/urandom | base64` runs slows the PTY; no process grows', async () => {
    const pids = [stack.gateways[0], stack.terminals[0], ...stack.bridges].map((p) => nodePidOf(p.child.pid!));
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    t.type('cat /dev/urandom | base64\r');
    await t.waitFor(() => t.bytes > 1_000_000, 10_000, 'output flowing');
    const before = pids.map((p) => usage(p).rssMiB);
    (t.ws as any)._socket.pause(); // the browser stops reading
    // … until `base64` itself is held: it has written nothing more for half a second.
    const agentPid = nodePidOf(stack.agents[0].pid!);
    let writtenBefore = -1;
    await waitUntil(() => {
      const now = bytesWrittenBy(agentPid, 'base64');
      const held = now === writtenBefore;
      writtenBefore = now;
      return held;
    }, 20_000, () => `base64 held by the full PTY (it has written ${writtenBefore} bytes)`, 500);
    const stalled = t.bytes;
    const grown = pids.map((p, i) => usage(p).rssMiB - before[i]);
    expect(Math.max(...grown)).toBeLessThan(64);
    (t.ws as any)._socket.resume();
    await t.waitFor(() => t.bytes > stalled + 1_000_000, 10_000, 'output flowing again');
    t.type('\x03');
    t.close();
  });
});

describe('bad input', () => {
  it('garbage, unknown control and oversized frames: clear errors, bounded, and the services stay up', async () => {
    const t = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    t.ws.send('{not json');
    t.control({ type: 'launch-missiles' });
    t.control({ type: 'resize', cols: 'wide', rows: 40 });
    await t.waitFor(() => t.controls.filter((c) => c.type === 'error').length >= 3, 5000, 'three errors');
    expect(t.controls.filter((c) => c.type === 'error').map((c) => c.error)).toEqual([
      'control messages must be JSON', 'unknown control message', 'resize needs integer cols and rows (1-1000)',
    ]);
    t.ws.send(Buffer.alloc(200 * 1024, 0x61), { binary: true });
    await t.waitFor(() => t.closed !== null, 5000, 'close');
    expect(t.closed!.code).toBe(1009);
    expect((await fetch(`${stack.terminals[0].url}/healthz`)).status).toBe(200);
  });

  it('another tenant: its token cannot open a terminal, and the machine does not exist for it', async () => {
    const stranger = await stack.signup();
    await expect(TermClient.open(stack.wsUrl(0, agentId, stranger.token))).rejects.toMatchObject({ status: 404 });
    expect((await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, stranger.token)).status).toBe(404);
    const mine = await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token);
    expect((await stack.api(0, 'GET', `/api/machines/by-id/${mine.body.id}`, undefined, stranger.token)).status).toBe(404);
    expect((await stack.api(0, 'POST', `/api/machines/${agentId}/command`, { command: 'id' }, stranger.token)).status).toBe(404);
    await expect(TermClient.open(stack.wsUrl(0, agentId, 'not-a-jwt'))).rejects.toMatchObject({ status: 401 });
  });

  it('gRPC: an invalid API key and a forged registration token are refused', async () => {
    expect(await connectOnce(stack.bridges[0].grpcPort, 'vsk_forged', 'ag_probe_0001')).toMatchObject({ code: 16, details: 'invalid API key' });
    expect(await connectOnce(stack.bridges[0].grpcPort, owner.apiKey, 'ag_probe_0002', 'vrt_forged'))
      .toMatchObject({ code: 16, details: 'Invalid registration token' });
  });

  it('a command that never ends gets 504; one that prints 1 GB gets a bounded, truncated result', async () => {
    const slow = await stack.api(0, 'POST', `/api/machines/${agentId}/command`, { command: 'sleep 600', timeout: 1 }, owner.token);
    expect(slow).toMatchObject({ status: 504, body: { error: 'Command timed out' } });
    const big = await stack.api(0, 'POST', `/api/machines/${agentId}/command`, { command: 'head -c 1000000000 /dev/zero | tr "\\0" a' }, owner.token);
    expect(big.status).toBe(200);
    expect(big.body.truncated).toBe(true);
    expect(big.body.output.length).toBe(256 * 1024);
    expect((await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status).toBe('online');
  });
});

describe('machine status follows the agent; delete disconnects it', () => {
  it('an agent that stops answering goes offline within seconds and comes back online', async () => {
    const pid = nodePidOf(stack.agents[0].pid!);
    const status = async () => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status;
    process.kill(pid, 'SIGSTOP');
    try {
      await waitUntil(async () => (await status()) === 'offline', 15_000, 'offline after missed heartbeats');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitUntil(async () => (await status()) === 'online', 20_000, 'online again');
  });

  it('an agent killed with its shells and run again: the sessions it no longer holds are closed, not left active', async () => {
    const t = await leftSession();
    expect(await activeSessions()).toContain(t.sessionId);
    await stack.restartAgent(0);
    await waitUntil(async () => !(await activeSessions()).includes(t.sessionId), 30_000, 'the lost session closed');
    expect((await stack.api(0, 'GET', `/api/sessions/${t.sessionId}`, undefined, owner.token)).body.session).toMatchObject({ status: 'closed' });
    await waitUntil(() => endsOf(t.sessionId).length > 0, 10_000, 'terminal.end audited');
    expect(endsOf(t.sessionId)).toEqual([expect.objectContaining({ details: expect.objectContaining({ how: 'lost', exit_code: null }) })]);
    // The machine itself goes on: a new terminal opens.
    const t2 = await TermClient.open(stack.wsUrl(0, agentId, owner.token));
    t2.type('echo af""ter\r');
    await t2.waitForText('after\r\n');
    t2.close();
  });

  it('an agent that never comes back (its machine switched off for good): its sessions are closed as lost once it has been away AGENT_AWAY_MAX_MS', async () => {
    const t = await leftSession();
    await stack.restartAgent(0, async () => {
      const gone = Date.now();
      await waitUntil(async () => !(await activeSessions()).includes(t.sessionId), 45_000, 'the abandoned session closed');
      expect(Date.now() - gone).toBeGreaterThanOrEqual(14_000); // not before the agent had been away 15 s
    });
    await waitUntil(() => endsOf(t.sessionId).length > 0, 10_000, 'terminal.end audited');
    expect(endsOf(t.sessionId)).toEqual([expect.objectContaining({ details: expect.objectContaining({ how: 'lost' }) })]);
    await waitUntil(async () => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status === 'online', 20_000, 'online again');
  });

  it('DELETE /api/machines/:agent_id removes the machine and the agent stops', async () => {
    const agent = stack.agents[0];
    expect((await stack.api(0, 'DELETE', `/api/machines/${agentId}`, undefined, owner.token)).status).toBe(200);
    expect((await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).status).toBe(404);
    await waitUntil(() => agent.exitCode !== null || agent.signalCode !== null, 10_000, 'the agent to exit');
  });
});
