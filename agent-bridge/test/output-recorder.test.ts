import { randomBytes } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { BATCH_HDR, decodeOutputBatch, OutputRecord } from '@webxterm/contracts';
import { createLogger } from '@webxterm/kit';
import { OutputRecorder } from '../src/output-recorder';

interface Stored { first: number; last: number; encoding: string | undefined; records: OutputRecord[]; bytes: number }

/** A JetStream client that keeps what is published to it (the recorder only publishes). */
function recordingJetStream(): { js: JetStreamClient; stored: Stored[] } {
  const stored: Stored[] = [];
  const js = {
    publish: async (_subject: string, body: Uint8Array, o: { headers: { get(k: string): string } }) => {
      const encoding = o.headers.get(BATCH_HDR.encoding) || undefined;
      stored.push({
        first: Number(o.headers.get(BATCH_HDR.first)), last: Number(o.headers.get(BATCH_HDR.last)), encoding,
        records: decodeOutputBatch(body, encoding), bytes: body.length,
      });
      return { seq: stored.length };
    },
  } as unknown as JetStreamClient;
  return { js, stored };
}

const log = createLogger('output-recorder-test', 'silent');
const text = (i: number) => Buffer.from(`drwxr-xr-x  2 root root  4096 Dec  2 18:00 directory-number-${i}\n`.repeat(1200));
const random = () => Buffer.from(randomBytes(48 * 1024).toString('base64'));

describe('OutputRecorder', () => {
  it('stores typical text compressed, every byte back as written', async () => {
    const { js, stored } = recordingJetStream();
    const rec = new OutputRecorder('s1', js, () => undefined, log);
    const chunks = [text(1), text(2), text(3)];
    chunks.forEach((data, i) => rec.add({ seq: i + 1, kind: 'data', at: 1, data }));
    await rec.close();
    expect(stored.every((b) => b.encoding === 'v2+br')).toBe(true);
    const raw = chunks.reduce((n, c) => n + c.length, 0);
    expect(raw / stored.reduce((n, b) => n + b.bytes, 0)).toBeGreaterThan(5);
    expect(Buffer.concat(stored.flatMap((b) => b.records.map((r) => r.data))).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('after a batch that does not compress, stores the next MiB as it is, then probes: more of the same stays as it is, text is compressed again', async () => {
    const { js, stored } = recordingJetStream();
    const rec = new OutputRecorder('s2', js, () => undefined, log);
    const chunks: Buffer[] = [];
    // 64 KiB batches of random base64 (brotli makes them 1.3× smaller: not worth it), then text.
    for (let seq = 1; seq <= 40; seq++) {
      const data = seq <= 30 ? random() : text(seq);
      chunks.push(data);
      rec.add({ seq, kind: 'data', at: seq, data });
    }
    await rec.close();
    const compressed = stored.map((b) => b.encoding === 'v2+br');
    const firstText = stored.findIndex((b) => b.first > 30);
    expect(compressed[0]).toBe(true); // tried whole: 1.3× is still smaller, but marks the session incompressible
    expect(compressed.slice(1, firstText)).not.toContain(true); // the MiB stored as it is, then probes that said no
    expect(firstText * 64 * 1024).toBeGreaterThan(1 << 20 + 64 * 1024); // so the random output outlasted the MiB
    expect(compressed[compressed.length - 1]).toBe(true); // a probe said yes to the text
    expect(Buffer.concat(stored.flatMap((b) => b.records.map((r) => r.data))).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('passes a credit to the agent only for stored chunks, the rest once stored', async () => {
    const { js } = recordingJetStream();
    const credits: number[] = [];
    const rec = new OutputRecorder('s3', js, (seq) => credits.push(seq), log);
    rec.add({ seq: 1, kind: 'data', at: 1, data: Buffer.from('a') });
    rec.add({ seq: 2, kind: 'data', at: 2, data: Buffer.from('b') });
    rec.credit(2);
    expect(credits).toEqual([0]);
    await rec.close();
    expect(credits).toEqual([0, 2]);
  });

  it('stores chunks the agent sends again (for a reader\'s gap) once: every batch in seq order, its headers its first and last', async () => {
    const { js, stored } = recordingJetStream();
    const credits: number[] = [];
    const rec = new OutputRecorder('s5', js, (seq) => credits.push(seq), log);
    const chunk = (seq: number) => ({ seq, kind: 'data' as const, at: seq, data: Buffer.from(`c${seq} `) });
    for (const seq of [1, 2, 3]) rec.add(chunk(seq));
    await rec.flush();
    for (const seq of [4, 5, 2, 3, 4, 5, 6]) rec.add(chunk(seq)); // 2…5 sent again, then new output
    rec.credit(6);
    await rec.close();
    expect(stored.map((b) => [b.first, b.last, b.records.map((r) => r.seq)])).toEqual([[1, 3, [1, 2, 3]], [4, 6, [4, 5, 6]]]);
    expect(credits.at(-1)).toBe(6);
  });

  it('forwards a credit that covers nothing newly stored only as a keep-alive, every 10 s', async () => {
    const { js } = recordingJetStream();
    const credits: number[] = [];
    const rec = new OutputRecorder('s4', js, (seq) => credits.push(seq), log);
    rec.add({ seq: 1, kind: 'data', at: 1, data: Buffer.from('a') });
    await rec.flush();
    rec.credit(1, 1_000);
    expect(credits).toEqual([1]);
    rec.credit(1, 2_000);
    rec.credit(1, 10_999);
    expect(credits).toEqual([1]);
    rec.credit(1, 11_000);
    expect(credits).toEqual([1, 1]);
    rec.add({ seq: 2, kind: 'data', at: 2, data: Buffer.from('b') });
    await rec.flush();
    rec.credit(2, 11_001);
    expect(credits).toEqual([1, 1, 2]);
    await rec.close();
  });
});
