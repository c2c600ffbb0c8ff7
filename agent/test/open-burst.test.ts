/**
 * A burst of session opens against a real `vsay-agent run`: forking a PTY blocks the agent's event
 * loop, so the agent takes one open per turn of it. Shown here: the messages after each open are
 * still handled in order (each session gets the input sent right after its open), and the agent
 * keeps speaking during the burst (no silence of three heartbeat intervals, which would cost the
 * stream).
 */
import { waitUntil } from '@webxterm/testkit';
import { FakeBridge, startAgentOnFakeBridge } from './fake-bridge';

jest.setTimeout(120_000);
const SESSIONS = 40;
const HEARTBEAT_MS = 1000;
let bridge: FakeBridge;

beforeAll(async () => { bridge = await startAgentOnFakeBridge('ag_burstagent1', HEARTBEAT_MS); }, 60_000);
afterAll(() => bridge?.stop());

it(`${SESSIONS} opens in one burst, each followed by its input: in order, and the agent keeps talking`, async () => {
  const ids = Array.from({ length: SESSIONS }, (_, i) => `burst${String(i).padStart(19, '0')}`);
  const { stream, received } = bridge;
  const start = Date.now();
  for (const [i, id] of ids.entries()) {
    stream.write({ open: { session_id: id, cols: 80, rows: 24, window_bytes: 65536 } });
    stream.write({ input: { session_id: id, data: Buffer.from(`echo burst-$((${i}+1000))\r`) } });
  }
  const outputOf = (id: string) => Buffer.concat(received.filter((r) => r.m.output?.session_id === id).map((r) => r.m.output.data)).toString();
  await waitUntil(() => ids.every((id, i) => outputOf(id).includes(`burst-${i + 1000}`)), 90_000, "every session's input echoed");
  const opened = received.filter((r) => r.m.opened).map((r) => r.m.opened);
  expect(opened.map((o) => o.session_id)).toEqual(ids);
  expect(opened.every((o) => o.error === '' && o.pid > 0)).toBe(true);
  // From the first message after the burst began to the last open answered: never three intervals of silence.
  const during = received.filter((r) => r.at >= start && r.at <= Date.now()).map((r) => r.at);
  const gaps = during.slice(1).map((t, i) => t - during[i]);
  expect(Math.max(0, ...gaps)).toBeLessThan(3 * HEARTBEAT_MS);
  for (const id of ids) stream.write({ close: { session_id: id } });
});
