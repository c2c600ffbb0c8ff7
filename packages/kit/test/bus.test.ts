/**
 * The message bus against the real NATS server (shared with other runs): every subject and stream
 * here carries a prefix of its own, and the stream is deleted at the end.
 */
import { randomBytes } from 'node:crypto';
import { AckPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { defineEvent, defineRpc, domainEvent, type EventContract, type RpcContract, type StreamDefinition, streamSubjects, subject } from '@webxterm/contracts';
import { waitUntil } from '@webxterm/testkit';
import { z } from 'zod';
import { AppError, Bus, connectNats, NatsConnection, on, retryDelay } from '../src';
import type { MessageContext } from '../src/bus';
import { currentRequestId } from '../src/request-context';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const P = `bus${randomBytes(5).toString('hex')}`;

const Tenanted = z.object({ tenant_id: z.string(), n: z.number().int() });
const Apples = domainEvent({ domain: P, name: 'apples', tokens: (e) => [e.tenant_id], schema: Tenanted });
const Pears = domainEvent({ domain: P, name: 'pears', tokens: (e) => [e.tenant_id], schema: Tenanted });
/** An event whose subject moved: `<P>.evt.plums.v1.<tenant>` before, `<P>.v1.evt.plums.<tenant>` now. */
const oldPlums = (token: string) => subject(P, 'evt', 'plums', 'v1', token);
const Plums = domainEvent({ domain: P, name: 'plums', tokens: (e) => [e.tenant_id], schema: Tenanted, legacyFilters: [`${oldPlums('x').slice(0, -1)}>`] });
const OldPlums: EventContract<typeof Tenanted> = defineEvent({
  name: 'old plums', subjectFor: (e) => oldPlums(e.tenant_id), filter: Plums.legacyFilters![0], schema: Tenanted,
});
/** Like the platform's streams: the events' subjects only (a stream that took RPC subjects would answer the requests). */
const STREAM: StreamDefinition = { name: `BUS_TEST_${P}`, subjects: streamSubjects(Apples, Pears, Plums), duplicateWindowSec: 60, maxAgeDays: 1 };

let nc: NatsConnection;
let bus: Bus;
let jsm: JetStreamManager;
let durables = 0;
const stops: { stop(): void }[] = [];
const durable = () => `d${++durables}`;

beforeAll(async () => {
  nc = await connectNats(NATS_URL, 'kit-bus-test');
  bus = new Bus(nc);
  jsm = await jetstreamManager(nc);
  await bus.ensureStream(STREAM);
});
afterEach(() => { for (const s of stops.splice(0)) s.stop(); });
afterAll(async () => {
  await jsm.streams.delete(STREAM.name).catch(() => undefined);
  await nc.drain();
});

async function consume(name: string, handlers: Parameters<Bus['consumeDurable']>[2], retry = { initialMs: 100, factor: 2, maxMs: 1000 }) {
  const c = await bus.consumeDurable(STREAM, name, handlers, { deliver: 'new', retry });
  stops.push(c);
  return c;
}

test('each message reaches the handler of the contract whose subject it matches, its payload typed and validated', async () => {
  const apples: number[] = [];
  const pears: number[] = [];
  await consume(durable(), [on(Apples, (e) => { apples.push(e.n); }), on(Pears, (e) => { pears.push(e.n); })]);
  await bus.publishDurable(Apples, { tenant_id: 't1', n: 1 }, `${P}-a1`);
  await bus.publishDurable(Pears, { tenant_id: 't1', n: 2 }, `${P}-p2`);
  await bus.publishDurable(Apples, { tenant_id: 't2', n: 3 }, `${P}-a3`);
  await waitUntil(() => apples.length === 2 && pears.length === 1, 5000, () => `apples ${apples}, pears ${pears}`);
  expect(apples).toEqual([1, 3]);
  expect(pears).toEqual([2]);
});

test('a payload that is not the contract\'s is terminated (never redelivered) and the next message is handled', async () => {
  const name = durable();
  const seen: number[] = [];
  await consume(name, [on(Apples, (e) => { seen.push(e.n); })]);
  await bus.js.publish(Apples.subjectFor({ tenant_id: 'bad', n: 0 }), 'not json');
  await bus.js.publish(Apples.subjectFor({ tenant_id: 'bad', n: 0 }), JSON.stringify({ tenant_id: 'bad', n: 'one' }));
  await bus.publishDurable(Apples, { tenant_id: 'ok', n: 7 }, `${P}-a7`);
  await waitUntil(() => seen.includes(7), 5000, 'the valid message');
  const info = await waitUntil(async () => {
    const i = await jsm.consumers.info(STREAM.name, name);
    return i.num_ack_pending === 0 && i.num_redelivered === 0 && i;
  }, 5000, 'nothing pending');
  expect(info.num_redelivered).toBe(0);
  expect(seen).toEqual([7]);
});

test('a failing handler is retried later and later (nak with a growing delay) until it succeeds', async () => {
  const attempts: number[] = [];
  await consume(durable(), [on(Pears, () => {
    attempts.push(Date.now());
    if (attempts.length < 3) throw new Error('database away');
  })], { initialMs: 200, factor: 2, maxMs: 1000 });
  await bus.publishDurable(Pears, { tenant_id: 't', n: 1 }, `${P}-retry`);
  await waitUntil(() => attempts.length === 3, 10_000, () => `${attempts.length} attempts`);
  const gaps = [attempts[1] - attempts[0], attempts[2] - attempts[1]];
  expect(gaps[0]).toBeGreaterThanOrEqual(180);
  expect(gaps[1]).toBeGreaterThanOrEqual(380);
});

test('the retry delay grows by its factor and stops at its cap', () => {
  const p = { initialMs: 500, factor: 2, maxMs: 8000 };
  expect([1, 2, 3, 4, 5, 6, 50].map((n) => retryDelay(n, p))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
});

test('the request id travels in x-request-id: a durable handler and an RPC handler run inside it', async () => {
  const got: { ctx: string | null; current: string | undefined }[] = [];
  await consume(durable(), [on(Apples, (_e, ctx: MessageContext) => { got.push({ ctx: ctx.requestId, current: currentRequestId() }); })]);
  await bus.publishDurable(Apples, { tenant_id: 'rid', n: 1 }, `${P}-rid`, 'req-durable-1');
  await waitUntil(() => got.length === 1, 5000, 'the event');
  expect(got[0]).toEqual({ ctx: 'req-durable-1', current: 'req-durable-1' });

  const Echo = defineRpc({ domain: P, name: 'echo', request: z.object({ n: z.number() }), response: z.object({ rid: z.string().nullable() }) });
  stops.push(bus.serve(Echo, { queue: 'q' }, async (_r, ctx) => ({ rid: ctx.requestId })));
  expect(await bus.request(Echo, { n: 1 }, { requestId: 'req-rpc-2' })).toEqual({ rid: 'req-rpc-2' });
});

test('core subscribe validates too, and "no responders" is the contract\'s own error when it names one', async () => {
  const got: number[] = [];
  stops.push(bus.subscribe(Pears, {}, (e) => { got.push(e.n); }));
  await nc.flush();
  nc.publish(Pears.subjectFor({ tenant_id: 'core', n: 0 }), 'not json');
  bus.publish(Pears, { tenant_id: 'core', n: 5 });
  await waitUntil(() => got.length === 1, 5000, 'the valid message');
  expect(got).toEqual([5]);
  expect(() => bus.publish(Pears, { tenant_id: 'core', n: 'x' } as never)).toThrow();

  const offline = { kind: 'unavailable', code: 'thing.offline', message: 'Thing is offline' };
  const Nobody: RpcContract<z.ZodObject, z.ZodObject> = {
    ...defineRpc({ domain: P, name: 'nobody', request: z.object({}), response: z.object({}) }), noResponders: offline,
  };
  await expect(bus.request(Nobody, {})).rejects.toMatchObject({ kind: 'unavailable', code: 'thing.offline' });
  await expect(bus.request({ ...Nobody, noResponders: undefined }, {})).rejects.toMatchObject({ code: 'rpc.no_responders' });
  await expect(bus.request(Nobody, {})).rejects.toBeInstanceOf(AppError);
});

test('a durable made with an old filter is re-filtered (keeping its position), and a message stored under the old subject is still handled', async () => {
  const name = durable();
  await jsm.consumers.add(STREAM.name, { durable_name: name, ack_policy: AckPolicy.Explicit, filter_subject: OldPlums.filter });
  await bus.publishDurable(OldPlums, { tenant_id: 't', n: 1 }, `${P}-old1`); // stored before the new release starts

  const plums: { n: number; subject: string }[] = [];
  await consume(name, [on(Plums, (e, ctx) => { plums.push({ n: e.n, subject: ctx.subject }); })]);
  await bus.publishDurable(Plums, { tenant_id: 't', n: 2 }, `${P}-new2`);
  await waitUntil(() => plums.length === 2, 5000, () => JSON.stringify(plums));
  expect(plums).toEqual([{ n: 1, subject: oldPlums('t') }, { n: 2, subject: Plums.subjectFor({ tenant_id: 't', n: 2 }) }]);
  expect((await jsm.consumers.info(STREAM.name, name)).config.filter_subject).toBe(`${P}.>`);
});

test('a configuration error surfaces instead of being swallowed', async () => {
  await expect(bus.consumeDurable({ ...STREAM, name: `${STREAM.name}_MISSING` }, durable(), [on(Apples, () => undefined)], { deliver: 'new' }))
    .rejects.toThrow(/stream not found/i);
});
