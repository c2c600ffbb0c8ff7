/** The output reader against the real NATS JetStream: backlog, live, duplicates, exit. */
import { connect, headers } from '@nats-io/transport-node';
import { TERM_HDR, TERMINAL_STREAM, termOutputSubject } from '@webxterm/contracts';
import { connectNats, ensureStream, NatsConnection, objectId } from '@webxterm/kit';
import { testEnv } from '@webxterm/testkit';
import { OutputEvent, readOutput } from '../src/ws/output-reader';

let nc: NatsConnection;
beforeAll(async () => {
  nc = await connectNats(testEnv().natsUrl, 'output-reader-test');
  await ensureStream(nc, TERMINAL_STREAM);
});
afterAll(async () => { await nc.close(); });

function publish(session: string, seq: number, body: string, kind: 'data' | 'exit' = 'data', msgId = `${session}:${seq}`, via = nc) {
  const h = headers();
  h.set(TERM_HDR.seq, String(seq));
  h.set(TERM_HDR.kind, kind);
  h.set('Nats-Msg-Id', msgId);
  via.publish(termOutputSubject(session), body, { headers: h });
}

async function collect(it: AsyncGenerator<OutputEvent>, until: (e: OutputEvent) => boolean): Promise<OutputEvent[]> {
  // next() rather than for-await: breaking out of for-await would end the generator.
  const out: OutputEvent[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return out;
    out.push(r.value);
    if (until(r.value)) return out;
  }
}
const text = (es: OutputEvent[]) => es.map((e) => (e.kind === 'data' ? Buffer.from(e.data).toString() : `<exit ${e.exit.exit_code}>`)).join('');

describe('readOutput', () => {
  it('resumes after last_seq from the stream, then follows live, each chunk once, ending at the exit', async () => {
    const s = objectId();
    for (let i = 1; i <= 5; i++) publish(s, i, `c${i} `);
    publish(s, 3, 'c3 ', 'data', `${s}:3:again`); // a re-sent chunk that escaped de-duplication
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    const abort = new AbortController();
    const reader = readOutput(nc, s, 2, abort.signal);
    const first = await collect(reader, (e) => e.seq === 5);
    expect(first.map((e) => e.seq)).toEqual([3, 4, 5]);
    publish(s, 6, 'c6 ');
    publish(s, 5, 'c5 ', 'data', `${s}:5:again`);
    publish(s, 7, JSON.stringify({ exit_code: 3, signal: 0, bytes: 21, seq: 7 }), 'exit');
    const rest = await collect(reader, (e) => e.kind === 'exit');
    expect(text(first) + text(rest)).toBe('c3 c4 c5 c6 <exit 3>');
  });

  it('a chunk missed live (a gap) is fetched from the stream, in order', async () => {
    // A connection with no_echo does not hear its own publishes: what it publishes is stored by
    // JetStream but never reaches its own live subscription — a real gap for the reader on it.
    const deaf = await connect({ servers: testEnv().natsUrl, noEcho: true });
    try {
      const s = objectId();
      const reader = readOutput(deaf, s, 0, new AbortController().signal);
      const first = reader.next();
      await new Promise((r) => setTimeout(r, 200));
      publish(s, 1, 'a ');
      publish(s, 2, 'b ', 'data', `${s}:2`, deaf);
      publish(s, 3, 'c ');
      publish(s, 4, JSON.stringify({ exit_code: 0, signal: 0, bytes: 6, seq: 4 }), 'exit');
      const events = [(await first).value as OutputEvent, ...(await collect(reader, (e) => e.kind === 'exit'))];
      expect(text(events)).toBe('a b c <exit 0>');
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    } finally {
      await deaf.close();
    }
  });

  it('a viewer joining late gets the whole backlog first', async () => {
    const s = objectId();
    for (let i = 1; i <= 50; i++) publish(s, i, `${i},`);
    publish(s, 51, JSON.stringify({ exit_code: 0, signal: 0, bytes: 0, seq: 51 }), 'exit');
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    const events = await collect(readOutput(nc, s, 0, new AbortController().signal), (e) => e.kind === 'exit');
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
  });
});
