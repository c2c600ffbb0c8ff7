/**
 * A real `vsay-agent run` on a bridge that welcomes `batches`: it says it reads InputBatch, every
 * session's keystrokes in one InputBatch reach its shell, and its output comes back whole and in
 * seq order, the echoes of sessions that answered in the same turn as OutputBatch messages.
 */
import { BATCHES_FEATURE, type OutputChunk } from '@webxterm/contracts';
import { waitUntil } from '@webxterm/testkit';
import { FakeBridge, startAgentOnFakeBridge } from './fake-bridge';

jest.setTimeout(120_000);
const SESSIONS = 20;
let bridge: FakeBridge;

beforeAll(async () => { bridge = await startAgentOnFakeBridge('ag_batchagent1', 5000, [BATCHES_FEATURE]); }, 60_000);
afterAll(() => bridge?.stop());

it(`${SESSIONS} sessions typed in one InputBatch each answer, in order, output batched per turn`, async () => {
  const { stream, received } = bridge;
  expect(received[0].m.hello.features).toEqual([BATCHES_FEATURE]);
  const ids = Array.from({ length: SESSIONS }, (_, i) => `batch${String(i).padStart(19, '0')}`);
  for (const id of ids) stream.write({ open: { session_id: id, cols: 80, rows: 24, window_bytes: 1 << 20 } });
  await waitUntil(() => received.filter((r) => r.m.opened).length === SESSIONS, 60_000, 'every session opened');
  const chunks = (): OutputChunk[] => received.flatMap((r) => (r.m.outputs ? r.m.outputs.chunks : r.m.output ? [r.m.output] : []));
  const outputOf = (id: string) => Buffer.concat(chunks().filter((c) => c.session_id === id).map((c) => c.data)).toString();
  const batched = () => received.some((r) => r.m.outputs?.chunks.length > 1);
  for (let round = 1; round <= 5 && (round === 1 || !batched()); round++) {
    stream.write({ inputs: { chunks: ids.map((id, i) => ({ session_id: id, data: Buffer.from(`echo round${round}-$((${i}+1000))\r`) })) } });
    await waitUntil(() => ids.every((id, i) => outputOf(id).includes(`round${round}-${i + 1000}`)), 60_000, `every session's round ${round} echoed`);
  }
  expect(batched()).toBe(true);
  for (const id of ids) {
    const seqs = chunks().filter((c) => c.session_id === id).map((c) => c.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }
  for (const id of ids) stream.write({ close: { session_id: id } });
});
