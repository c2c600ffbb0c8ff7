import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { StreamDefinition } from '@webxterm/contracts';
import { connectNats, ensureStream, NatsConnection } from '../src';
import { ConfigError } from '../src/config';
import { streamReplicas } from '../src/nats';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
let nc: NatsConnection;
const created: string[] = [];

function testStream(): StreamDefinition {
  const id = randomBytes(6).toString('hex');
  const def = { name: `KIT_REPLICAS_${id}`, subjects: [`kitreplicas.${id}.>`], duplicateWindowSec: 10, maxAgeDays: 1 };
  created.push(def.name);
  return def;
}

beforeAll(async () => { nc = await connectNats(NATS_URL, 'kit-stream-replicas-test'); });
afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  for (const name of created) await jsm.streams.delete(name).catch(() => undefined);
  await nc?.drain();
});

test('NATS_STREAM_REPLICAS defaults to one copy and is read as a number', () => {
  expect(streamReplicas({})).toBe(1);
  expect(streamReplicas({ NATS_STREAM_REPLICAS: '3' })).toBe(3);
});

test('a bad NATS_STREAM_REPLICAS fails with the variable named', () => {
  expect(() => streamReplicas({ NATS_STREAM_REPLICAS: '0' })).toThrow(ConfigError);
  expect(() => streamReplicas({ NATS_STREAM_REPLICAS: 'three' })).toThrow(/NATS_STREAM_REPLICAS/);
});

test('the stream is created with the replica count asked for', async () => {
  const def = testStream();
  await ensureStream(nc, def, 1);
  const info = await (await jetstreamManager(nc)).streams.info(def.name);
  expect(info.config.num_replicas).toBe(1);
});

test('three replicas reach the server, which refuses them when it is not a cluster', async () => {
  // The machine's nats-server is a single node: asking for 3 copies must fail there rather than be
  // silently dropped (on the three-node cluster of deploy/k8s/nats.yaml the same call succeeds).
  const jsm = await jetstreamManager(nc);
  const def = testStream();
  if (nc.info?.cluster) {
    await ensureStream(nc, def, 3);
    expect((await jsm.streams.info(def.name)).config.num_replicas).toBe(3);
  } else {
    await expect(ensureStream(nc, def, 3)).rejects.toThrow(/replica|cluster/i);
  }
});
