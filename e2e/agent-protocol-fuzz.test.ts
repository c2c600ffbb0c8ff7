/**
 * gRPC fuzz of the agent protocol against real bridges (issue 7): hundreds of streams with bad
 * credentials, bad agent ids and random, malformed or hostile messages — forged sessions and seqs,
 * oversized hellos, answers to requests nobody made. The bridge must stay up and keep serving the
 * real agent. Prints its seed; FUZZ_SEED=<seed> replays a run.
 */
import { badString, fuzzSeed, Prng, waitUntil } from '@webxterm/testkit';
import { ProbeAgent } from './lib/grpc-probe';
import { TermClient } from './lib/term-client';
import { Account, TerminalStack } from './lib/terminal-stack';

jest.setTimeout(120_000);
const STREAMS = 300;
const seed = fuzzSeed();
const stack = new TerminalStack();
let admin: Account;
let agentId: string;

beforeAll(async () => {
  await stack.start();
  admin = await stack.signup();
  agentId = await stack.onlineMachine(admin, 'fuzzed');
}, 120_000);

afterAll(async () => { await stack.stop(); }, 60_000);

function randomMessage(r: Prng, sessions: string[]): unknown {
  const session = r.chance(0.5) ? r.pick(sessions) : r.pick(['', 'x', '0'.repeat(24), 'f'.repeat(24), badString(r).slice(0, 300)]);
  const seq = r.pick([0, 1, 2, r.int(3, 1e6), Number.MAX_SAFE_INTEGER]);
  const data = Buffer.from(r.chance(0.1) ? 'x'.repeat(r.int(1, 2 << 20)) : badString(r));
  switch (r.int(0, 8)) {
    case 0: return { output: { session_id: session, seq, data } };
    case 7: return { outputs: { chunks: Array.from({ length: r.int(0, 50) }, () => ({ session_id: r.chance(0.5) ? r.pick(sessions) : badString(r).slice(0, 100), seq: r.pick([0, 1, r.int(2, 1e6)]), data: Buffer.from(badString(r)) })) } };
    case 1: return { exited: { session_id: session, exit_code: r.int(-5, 300), signal: r.int(0, 64), last_seq: seq, bytes: r.int(0, 1e9) } };
    case 2: return { opened: { session_id: session, pid: r.int(-1, 1e6), error: r.chance(0.5) ? badString(r) : '' } };
    case 3: return { exec_result: { request_id: badString(r).slice(0, 100), exit_code: r.int(-1, 255), output: data, duration_ms: r.int(0, 1e6), timed_out: r.chance(0.5), truncated: false, error: '' } };
    case 4: return { heartbeat: { sent_at_ms: r.int(0, 2 ** 40) } };
    case 5: return { error: { code: badString(r).slice(0, 200), message: badString(r), session_id: session } };
    case 6: return { hello: hello(r, sessions) };
    default: return {};
  }
}

function hello(r: Prng, sessions: string[]) {
  const s = () => (r.chance(0.2) ? 'h'.repeat(r.int(256, 20_000)) : badString(r).slice(0, 200));
  return {
    agent_version: s(), hostname: s(), os: s(), kernel: s(), arch: s(), ips: Array.from({ length: r.int(0, 100) }, s), linux_user: s(),
    features: r.chance(0.5) ? ['batches'] : Array.from({ length: r.int(0, 20) }, s),
    sessions: Array.from({ length: r.int(0, 400) }, () => ({ session_id: r.chance(0.3) ? r.pick(sessions) : s(), next_seq: r.int(0, 1e6), acked_seq: r.int(0, 1e6) })),
  };
}

it(`${STREAMS} hostile agent streams: the bridges stay up and the real agent keeps working (seed printed)`, async () => {
  console.log(`agent protocol fuzz seed: ${seed} (replay with FUZZ_SEED=${seed})`);
  const r = new Prng(seed);
  const victim = await TermClient.open(stack.wsUrl(0, agentId, admin.token));
  const sessions = [victim.sessionId];
  // One registered probe with a real credential, so fuzzed messages also reach an admitted link.
  const reg = new ProbeAgent(stack.bridges[0].grpcPort, admin.apiKey, `ag_fuzzreg${seed}`);
  await waitUntil(() => reg.welcome !== undefined || reg.ended !== null, 10_000, 'registered probe');
  const credential = reg.welcome?.machine_credential as string;
  expect(credential).toMatch(/^vmc_/);
  reg.close();

  for (let batch = 0; batch < STREAMS / 25; batch++) {
    const probes: ProbeAgent[] = [];
    for (let i = 0; i < 25; i++) {
      const bearer = r.pick([credential, admin.apiKey, `vmc_${'0'.repeat(48)}`, 'vsk_forged', badString(r).slice(0, 500).replace(/[\r\n]/g, ''), '']);
      const id = r.pick([`ag_fuzzreg${seed}`, agentId, 'ag_fuzz_unknown1', badString(r).slice(0, 100).replace(/[\r\n]/g, ''), '']);
      let p: ProbeAgent;
      try {
        p = new ProbeAgent(stack.bridges[r.int(0, 1)].grpcPort, bearer || 'x', id || 'x', { sessions: r.chance(0.3) ? sessions : [] });
      } catch {
        continue; // metadata the client itself refuses to send
      }
      probes.push(p);
      for (let k = r.int(0, 12); k > 0; k--) {
        try { p.send(randomMessage(r, sessions)); } catch { /* a value the client cannot encode */ }
      }
    }
    await waitUntil(() => probes.every((p) => p.ended !== null || p.welcome !== undefined), 20_000, 'every fuzzed stream answered');
    for (const p of probes) p.close();
  }

  // Still standing: both bridges answer health, the real agent runs commands, the terminal is intact.
  for (const b of stack.bridges) expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
  expect(await stack.api(0, 'POST', `/api/machines/${agentId}/command`, { command: 'echo alive' }, admin.token))
    .toMatchObject({ status: 200, body: { output: 'alive\n' } });
  victim.type('echo still-$((2*21))\r');
  await victim.waitForText('still-42');
  victim.close();
});
