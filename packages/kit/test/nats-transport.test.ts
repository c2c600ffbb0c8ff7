/**
 * The loop-batched NATS transport against the real server: messages published from many tasks of
 * one event-loop turn leave in one socket write, in order; a lone request still answers at once.
 */
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { testEnv, waitUntil } from '@webxterm/testkit';
import { connectNats } from '../src';

const { natsUrl } = testEnv();
const SUBJECT = `kit.transport.${randomBytes(5).toString('hex')}`;

/** Counts the system-level writes (`_write`/`_writev` calls) a connection's socket makes from now on. */
function countWrites(nc: NatsConnection): () => number {
  const socket = (nc as unknown as { protocol: { transport: { socket: Socket } } }).protocol.transport.socket;
  const s = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  let writes = 0;
  const write = s._write.bind(socket);
  const writev = s._writev.bind(socket);
  s._write = (...a) => { writes++; write(...a); };
  s._writev = (...a) => { writes++; writev(...a); };
  return () => writes;
}

/** Publishes `n` messages, each from its own task (as many sockets' reads in one turn would). */
async function publishFromSeparateTasks(nc: NatsConnection, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => new Promise<void>((resolve) => setImmediate(() => {
    nc.publish(SUBJECT, String(i));
    resolve();
  }))));
}

describe('loop-batched NATS transport', () => {
  let batched: NatsConnection;
  let plain: NatsConnection;
  let reader: NatsConnection;
  beforeAll(async () => {
    batched = await connectNats(natsUrl, 'kit-transport-test');
    plain = await connect({ servers: natsUrl });
    reader = await connect({ servers: natsUrl });
  });
  afterAll(async () => { await Promise.all([batched, plain, reader].map((c) => c.close())); });

  it('sends what 50 tasks of one turn publish in one write, in order', async () => {
    const got: string[] = [];
    const sub = reader.subscribe(SUBJECT, { callback: (_e, m) => { got.push(m.string()); } });
    await reader.flush();
    const writes = countWrites(batched);
    await publishFromSeparateTasks(batched, 50);
    await batched.flush();
    await waitUntil(() => got.length === 50, 5000, () => `50 messages, got ${got.length}`);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    // 50 messages in one write; the flush's PING in the next.
    expect(writes()).toBeLessThanOrEqual(2);
    sub.unsubscribe();
  });

  it('the library’s own transport needs a write per task (what this replaces)', async () => {
    const writes = countWrites(plain);
    await publishFromSeparateTasks(plain, 50);
    await plain.flush();
    expect(writes()).toBeGreaterThanOrEqual(50);
  });

  it('answers a lone request without waiting', async () => {
    const sub = reader.subscribe(`${SUBJECT}.rpc`, { callback: (_e, m) => { m.respond('pong'); } });
    await reader.flush();
    for (let i = 0; i < 20; i++) expect((await batched.request(`${SUBJECT}.rpc`, 'ping', { timeout: 1000 })).string()).toBe('pong');
    sub.unsubscribe();
  });
});
