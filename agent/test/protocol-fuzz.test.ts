/**
 * The agent under a hostile bridge: a real `vsay-agent run` process connects to a gRPC server of
 * this test that answers its hello and then sends hundreds of random, malformed or contradictory
 * messages (unknown sessions, absurd sizes and seqs, NUL and odd Unicode, commands with NUL, huge
 * input). The agent must stay up and still run a command at the end. Seeded; FUZZ_SEED replays,
 * FUZZ_MESSAGES sets the count, FUZZ_TRACE=1 prints each message.
 */
import { badString, fuzzSeed, Prng, waitUntil } from '@webxterm/testkit';
import { FakeBridge, startAgentOnFakeBridge } from './fake-bridge';

jest.setTimeout(90_000);
const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 600);
const seed = fuzzSeed();
let bridge: FakeBridge;

beforeAll(async () => { bridge = await startAgentOnFakeBridge('ag_fuzzagent1', 60_000); }, 40_000);
afterAll(() => bridge?.stop());

function randomMessage(r: Prng, sessions: string[]): unknown {
  const session = r.chance(0.6) ? r.pick(sessions) : badString(r).slice(0, 100);
  const n = () => r.pick([0, 1, 80, 1000, 1001, 65535, 2 ** 32 - 1]);
  const input = (id: string, max: number) => ({ session_id: id, data: Buffer.from(r.chance(0.1) ? 'y'.repeat(r.int(1, max)) : badString(r)) });
  switch (r.int(0, 9)) {
    case 0: return { open: { session_id: session, cols: n(), rows: n(), window_bytes: n() } };
    case 1: return { input: input(session, 1 << 20) };
    case 8: return { inputs: { chunks: Array.from({ length: r.int(0, 50) }, () => input(r.chance(0.6) ? r.pick(sessions) : badString(r).slice(0, 100), 64 << 10)) } };
    case 2: return { resize: { session_id: session, cols: n(), rows: n() } };
    case 3: return { credit: { session_id: session, acked_seq: r.pick([0, 1, 10 ** 6, Number.MAX_SAFE_INTEGER]) } };
    case 4: return { resend: { session_id: session, after_seq: r.pick([0, 5, Number.MAX_SAFE_INTEGER]) } };
    case 5: return { close: { session_id: session } };
    // Commands from a safe list (never run random text as a shell command), plus NUL and emptiness.
    case 6: return { exec: { request_id: badString(r).slice(0, 50), command: r.pick(['true', 'echo a\u0000b', '', 'x'.repeat(70_000), 'exit 3']), timeout_ms: r.pick([0, 1, 500]), max_output_bytes: r.pick([0, 1, 100]) } };
    case 7: return { heartbeat: { sent_at_ms: r.int(0, 2 ** 40) } };
    default: return { welcome: { machine_id: badString(r), heartbeat_interval_ms: r.pick([0, 1, 60_000]), agent_id: 'ag_fuzzagent1', machine_credential: '' } };
  }
}

it(`${MESSAGES} hostile bridge messages: the agent stays up and still runs a command (seed printed)`, async () => {
  console.log(`agent fuzz seed: ${seed} (replay with FUZZ_SEED=${seed})`);
  const r = new Prng(seed);
  const sessions = Array.from({ length: 4 }, (_, i) => `${i}`.padStart(24, 'a'));
  const { stream, agent, serverErrors } = bridge;
  const received = () => bridge.received.map((r) => r.m);
  for (const id of sessions) stream.write({ open: { session_id: id, cols: 80, rows: 24, window_bytes: 65536 } });
  for (let i = 0; i < MESSAGES; i++) {
    const msg = randomMessage(r, sessions) as any;
    if (process.env.FUZZ_TRACE) console.log(i, Object.keys(msg)[0], JSON.stringify(msg).slice(0, 120));
    stream.write(msg);
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  for (const id of sessions) stream.write({ close: { session_id: id } });
  stream.write({ exec: { request_id: 'final', command: 'echo agent-alive', timeout_ms: 5000, max_output_bytes: 1000 } });
  // A real bridge goes on sending heartbeats while the agent works through what the fuzz left it
  // (a fuzzed welcome may have set 1 s: three silent seconds and the agent ends the stream, as it should).
  const beats = setInterval(() => stream.write({ heartbeat: { sent_at_ms: Date.now() } }), 500);
  try {
    await waitUntil(() => received().some((m) => m.exec_result?.request_id === 'final'), 60_000, () => `the final command's answer (exit: ${agent.exitCode}; server errors ${serverErrors.join(', ')}; received ${JSON.stringify(received().map((m) => m.kind).reduce((a: any, k: string) => ({ ...a, [k]: (a[k] ?? 0) + 1 }), {}))}); agent log: ${bridge.agentLog()}`);
  } finally {
    clearInterval(beats);
  }
  expect(received().find((m) => m.exec_result?.request_id === 'final').exec_result.output.toString()).toBe('agent-alive\n');
  expect(agent.exitCode).toBeNull();
});
