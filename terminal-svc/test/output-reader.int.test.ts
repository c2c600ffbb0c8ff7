/** The output reader against the real NATS JetStream: stored batches, live, duplicates, gaps, exit. */
import { connect, headers } from '@nats-io/transport-node';
import { BATCH_HDR, encodeOutputBatch, OutputRecord, packOutputRecords, TERMINAL_STREAM, termOutputSubject, termRecordSubject } from '@webxterm/contracts';
import { connectNats, ensureStream, jetstream, NatsConnection, objectId } from '@webxterm/kit';
import { testEnv, waitUntil } from '@webxterm/testkit';
import { LiveOutput, OutputEvent, OutputGap, readOutput } from '../src/ws/output-reader';

let nc: NatsConnection;
beforeAll(async () => {
  nc = await connectNats(testEnv().natsUrl, 'output-reader-test');
  await ensureStream(nc, TERMINAL_STREAM);
});
afterAll(async () => { await nc.close(); });

type Chunk = { seq: number; body: string; kind?: 'data' | 'exit' };
const exitBody = (seq: number, code = 0) => JSON.stringify({ exit_code: code, signal: 0, bytes: 0, seq });

/** What the bridge does live: core NATS only, one record per message. */
function live(session: string, c: Chunk, via = nc): void {
  via.publish(termOutputSubject(session), packOutputRecords([{ seq: c.seq, kind: c.kind ?? 'data', at: Date.now(), data: Buffer.from(c.body) }]));
}

/** What the bridge's recorder does: one stored batch, acknowledged by JetStream. */
async function store(session: string, chunks: Chunk[], via = nc): Promise<void> {
  const records: OutputRecord[] = chunks.map((c) => ({ seq: c.seq, kind: c.kind ?? 'data', at: Date.now(), data: Buffer.from(c.body) }));
  const { body, encoding } = await encodeOutputBatch(records);
  const h = headers();
  h.set(BATCH_HDR.first, String(records[0].seq));
  h.set(BATCH_HDR.last, String(records[records.length - 1].seq));
  if (encoding) h.set(BATCH_HDR.encoding, encoding);
  await jetstream(via).publish(termRecordSubject(session), body, { headers: h });
}

async function both(session: string, c: Chunk): Promise<void> {
  live(session, c);
  await store(session, [c]);
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
  it('resumes after last_seq from the stored batches, then follows live, each chunk once (a stray message that is no record dropped), ending at the exit', async () => {
    const s = objectId();
    await store(s, [1, 2, 3].map((i) => ({ seq: i, body: `c${i} ` })));
    await store(s, [3, 4, 5].map((i) => ({ seq: i, body: `c${i} ` }))); // an overlapping batch (the agent replayed to another bridge)
    const reader = readOutput(nc, s, 2, new AbortController().signal);
    const first = await collect(reader, (e) => e.seq === 5);
    expect(first.map((e) => e.seq)).toEqual([3, 4, 5]);
    await both(s, { seq: 6, body: 'c6 ' });
    live(s, { seq: 5, body: 'c5 ' });
    nc.publish(termOutputSubject(s), 'not a record');
    await both(s, { seq: 7, body: exitBody(7, 3), kind: 'exit' });
    const rest = await collect(reader, (e) => e.kind === 'exit');
    await reader.return(undefined);
    expect(text(first) + text(rest)).toBe('c3 c4 c5 c6 <exit 3>');
  });

  it("a new session's first output, published before its reader starts and not stored yet, arrives through the tap made before it opened", async () => {
    const s = objectId();
    const tap = new LiveOutput(nc, s);
    live(s, { seq: 1, body: 'prompt$ ' }); // the shell's prompt, while terminal-svc still answers the handshake
    await nc.flush();
    const reader = readOutput(nc, s, 0, new AbortController().signal, { live: tap });
    const got = await collect(reader, (e) => e.seq === 1);
    await reader.return(undefined);
    expect(text(got)).toBe('prompt$ ');
  });

  it('a chunk missed live (a gap) is read from the stream, in order, even when it is stored only later', async () => {
    // A connection with no_echo does not hear its own publishes: a real gap for the reader on it.
    const deaf = await connect({ servers: testEnv().natsUrl, noEcho: true });
    try {
      const s = objectId();
      // The reader's looks into the stream for this session's batches (JetStream's API, seen from outside).
      let looks = 0;
      const spy = nc.subscribe(`$JS.API.STREAM.MSG.GET.${TERMINAL_STREAM.name}`, {
        callback: (_e, m) => { if (m.string().includes(termRecordSubject(s))) looks++; },
      });
      await nc.flush();
      const reader = readOutput(deaf, s, 0, new AbortController().signal);
      const first = reader.next();
      await deaf.flush(); // its live subscription is in place
      live(s, { seq: 1, body: 'a ' });
      live(s, { seq: 2, body: 'b ' }, deaf);
      live(s, { seq: 3, body: 'c ' });
      live(s, { seq: 4, body: exitBody(4), kind: 'exit' });
      const event1 = (await first).value as OutputEvent;
      const rest = collect(reader, (e) => e.kind === 'exit');
      // The bridge stores its batch later (it batches for up to 1 s): here, once the reader has
      // looked for the missing chunk and found nothing yet.
      const looksBefore = looks;
      await waitUntil(() => looks > looksBefore, 5000, 'the reader looking for the missing chunk');
      spy.unsubscribe();
      await store(s, [{ seq: 1, body: 'a ' }, { seq: 2, body: 'b ' }, { seq: 3, body: 'c ' }]);
      const events = [event1, ...(await rest)];
      await reader.return(undefined);
      expect(text(events)).toBe('a b c <exit 0>');
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    } finally {
      await deaf.close();
    }
  });

  it('a hole nobody stored is asked again from the agent, and filled by its resend', async () => {
    const s = objectId();
    const asked: number[] = [];
    const reader = readOutput(nc, s, 0, new AbortController().signal, {
      resend: (after) => {
        asked.push(after);
        void store(s, [{ seq: 2, body: 'b ' }]);
      },
      gapWaitMs: 200,
    });
    const first = reader.next();
    await nc.flush();
    await both(s, { seq: 1, body: 'a ' });
    await both(s, { seq: 3, body: exitBody(3), kind: 'exit' });
    const events = [(await first).value as OutputEvent, ...(await collect(reader, (e) => e.kind === 'exit'))];
    await reader.return(undefined);
    expect(text(events)).toBe('a b <exit 0>');
    expect(asked).toEqual([1]);
  });

  it('a hole the agent cannot fill ends the reader with OutputGap, never skipped silently', async () => {
    const s = objectId();
    let asked = 0;
    const reader = readOutput(nc, s, 0, new AbortController().signal, { resend: () => { asked++; }, gapWaitMs: 200 });
    const first = reader.next();
    await nc.flush();
    await both(s, { seq: 1, body: 'a ' });
    await both(s, { seq: 3, body: 'c ' });
    expect(((await first).value as OutputEvent).seq).toBe(1);
    await expect(reader.next()).rejects.toBeInstanceOf(OutputGap);
    expect(asked).toBe(3);
  });

  it('a resumed owner gets output that went live before it started and is not stored yet, with nothing more coming live: the agent is asked for it at once', async () => {
    // The replica that relayed seq 3 died; the bridge stores it within a second; the agent, paused
    // for credits, prints nothing more. Before, the reader waited for the next live chunk to see the gap.
    const s = objectId();
    await store(s, [1, 2].map((i) => ({ seq: i, body: `c${i} ` })));
    live(s, { seq: 3, body: 'c3 ' });
    await nc.flush();
    const asked: number[] = [];
    const reader = readOutput(nc, s, 1, new AbortController().signal, {
      resend: (after) => { asked.push(after); live(s, { seq: 3, body: 'c3 ' }); }, // the agent still holds it
      gapWaitMs: 60_000,
    });
    const events = await collect(reader, (e) => e.seq === 3);
    await reader.return(undefined);
    expect(text(events)).toBe('c2 c3 ');
    expect(asked).toEqual([2]);
  });

  it('a reader that cannot ask the agent (a viewer) gets output stored only after it read the stream, with nothing more coming live', async () => {
    const s = objectId();
    let looks = 0; // the reader's looks into the stream for this session's batches
    const spy = nc.subscribe(`$JS.API.STREAM.MSG.GET.${TERMINAL_STREAM.name}`, {
      callback: (_e, m) => { if (m.string().includes(termRecordSubject(s))) looks++; },
    });
    try {
      await nc.flush();
      await store(s, [{ seq: 1, body: 'a ' }]);
      live(s, { seq: 2, body: 'b ' }); // before the reader's tap: it never sees this live
      const reader = readOutput(nc, s, 0, new AbortController().signal, { gapWaitMs: 250 });
      const rest = collect(reader, (e) => e.seq === 2);
      await waitUntil(() => looks >= 2, 5000, 'the reader reading the stream again'); // its first read is over
      await store(s, [{ seq: 2, body: 'b ' }]);
      const events = await rest;
      await reader.return(undefined);
      expect(text(events)).toBe('a b ');
    } finally {
      spy.unsubscribe();
    }
  });

  it('a resume reads the stream from the newest batch when that one follows its last seq, and a catch-up with nothing newer stored reads nothing', async () => {
    const s = objectId();
    for (let b = 0; b < 20; b++) await store(s, Array.from({ length: 5 }, (_, i) => ({ seq: b * 5 + i + 1, body: `${b * 5 + i + 1},` })));
    const consumers: { deliver_policy?: string }[] = []; // consumers created for this session's batches
    let looks = 0; // the reader's looks at the newest batch
    const spies = [
      nc.subscribe(`$JS.API.CONSUMER.CREATE.${TERMINAL_STREAM.name}.>`, {
        callback: (_e, m) => { if (m.string().includes(termRecordSubject(s))) consumers.push(JSON.parse(m.string()).config); },
      }),
      nc.subscribe(`$JS.API.STREAM.MSG.GET.${TERMINAL_STREAM.name}`, {
        callback: (_e, m) => { if (m.string().includes(termRecordSubject(s))) looks++; },
      }),
    ];
    try {
      await nc.flush();
      const reader = readOutput(nc, s, 97, new AbortController().signal, { gapWaitMs: 100 });
      const got = await collect(reader, (e) => e.seq === 100);
      expect(got.map((e) => e.seq)).toEqual([98, 99, 100]);
      const more = reader.next(); // waits live, reading the stream again three times meanwhile (100, 200, 400 ms)
      await waitUntil(() => looks >= 4, 5000, 'the three catch-up reads');
      await both(s, { seq: 101, body: '101,' });
      expect(text([(await more).value as OutputEvent])).toBe('101,');
      await reader.return(undefined);
      expect(consumers).toEqual([expect.objectContaining({ deliver_policy: 'by_start_sequence' })]);
    } finally {
      for (const spy of spies) spy.unsubscribe();
    }
  });

  it('a viewer joining late gets the whole backlog first, across batches', async () => {
    const s = objectId();
    for (let b = 0; b < 5; b++) await store(s, Array.from({ length: 10 }, (_, i) => ({ seq: b * 10 + i + 1, body: `${b * 10 + i + 1},`.repeat(40) })));
    await store(s, [{ seq: 51, body: exitBody(51), kind: 'exit' }]);
    const reader = readOutput(nc, s, 0, new AbortController().signal);
    const events = await collect(reader, (e) => e.kind === 'exit');
    await reader.return(undefined);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
  });
});

describe('output batches', () => {
  it('round-trip every byte value, compressed when that pays', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const records: OutputRecord[] = [
      { seq: 1, kind: 'data', at: 1_700_000_000_123, data: Buffer.concat(Array(20).fill(all)) },
      { seq: 2, kind: 'data', at: 1_700_000_000_124, data: Buffer.alloc(0) },
      { seq: 3, kind: 'exit', at: 1_700_000_000_125, data: Buffer.from(exitBody(3)) },
    ];
    const { body, encoding } = await encodeOutputBatch(records);
    expect(encoding).toBe('v2+br');
    expect(body.length).toBeLessThan(records[0].data.length / 5);
    const { decodeOutputBatch } = await import('@webxterm/contracts');
    const back = decodeOutputBatch(body, encoding);
    expect(back.map((r) => [r.seq, r.kind, r.at])).toEqual(records.map((r) => [r.seq, r.kind, r.at]));
    expect(Buffer.concat(back.map((r) => r.data)).equals(Buffer.concat(records.map((r) => r.data)))).toBe(true);
    expect(() => decodeOutputBatch(body.subarray(0, 10), null)).toThrow('truncated');
  });

  it('compact records: a keystroke\'s echo has 4 bytes of head (17 before); seqs with gaps, times that step back, and the batches stored before still read', async () => {
    const { decodeOutputBatch } = await import('@webxterm/contracts');
    const echoes: OutputRecord[] = Array.from({ length: 10 }, (_, i) => ({ seq: 41 + i, kind: 'data', at: 1_764_000_000_000 + 100 * i, data: Buffer.from('x') }));
    const typed = await encodeOutputBatch(echoes);
    expect(typed.encoding).toBe('v2');
    expect(typed.body.length).toBeLessThanOrEqual(10 * 5 + 10); // the first record's time and seq are whole varints
    expect(packOutputRecords(echoes).length).toBe(10 * 18);
    const odd: OutputRecord[] = [
      { seq: 7, kind: 'data', at: 5_000, data: Buffer.from('a') },
      { seq: 900_000, kind: 'data', at: 4_000, data: Buffer.alloc(70_000, 'é') },
      { seq: 2 ** 32 - 1, kind: 'exit', at: 2 ** 45, data: Buffer.from(exitBody(9)) },
    ];
    for (const records of [echoes, odd]) {
      const { body, encoding } = await encodeOutputBatch(records, 'none');
      const back = decodeOutputBatch(body, encoding);
      expect(back.map((r) => [r.seq, r.kind, r.at, Buffer.from(r.data).toString('hex')])).toEqual(records.map((r) => [r.seq, r.kind, r.at, Buffer.from(r.data).toString('hex')]));
      expect(() => decodeOutputBatch(body.subarray(0, body.length - 1), encoding)).toThrow('truncated');
    }
    // Stored before the compact records: 17-byte heads, raw or brotli (header `x-enc: br`).
    const { brotliCompressSync } = await import('node:zlib');
    const legacy = packOutputRecords(odd);
    for (const [body, encoding] of [[legacy, undefined], [brotliCompressSync(legacy), 'br']] as const) {
      expect(decodeOutputBatch(body, encoding).map((r) => [r.seq, r.kind, r.at, r.data.length])).toEqual(odd.map((r) => [r.seq, r.kind, r.at, r.data.length]));
    }
  });
});
