import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { jetstreamManager } from '@nats-io/jetstream';
import { AUDIT_STREAM, auditSubject, defineRpc } from '@webxterm/contracts';
import { Router } from 'express';
import pino from 'pino';
import { z } from 'zod';
import { sampleValue } from '@webxterm/testkit';
import {
  AuditPublisher, Bus, closeServer, connectNats, createHttpApp, ensureStream, finishApp, listen, NatsConnection, portOf,
  serveMetrics, ServiceMetrics,
} from '../src';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const Echo = defineRpc({ domain: 'kittest', name: `echo_${randomBytes(4).toString('hex')}`, request: z.object({ n: z.number() }), response: z.object({ rid: z.string().nullable() }) });

let nc: NatsConnection;
let bus: Bus;
let app: Server;
let metricsServer: Server;
let base: string;
let stopRpc: () => void;
let audit: AuditPublisher;
const lines: any[] = [];
const tenant = `ko${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  nc = await connectNats(NATS_URL, 'kit-observability-test');
  await ensureStream(nc, AUDIT_STREAM);
  const log = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(chunk.toString())); done(); } }));
  bus = new Bus(nc, log);
  audit = new AuditPublisher(bus, 'kit-test', log);
  stopRpc = bus.serve(Echo, { queue: 'kit-test' }, async (_req, ctx) => ({ rid: ctx.requestId })).stop;
  const metrics = new ServiceMetrics('kit-test');
  const http = createHttpApp({ service: 'kit-test', log, metrics, jsonLimit: '10kb' });
  const things = Router();
  things.get('/things/:id', (_req, res) => { res.json({ ok: true }); });
  http.use('/nested', things);
  // A JSON body is parsed first (the parser calls on from a socket event): the RPC and the audit
  // event made after it still belong to the request.
  http.post('/calls', async (req, res) => {
    const { rid } = await bus.request(Echo, { n: req.body.n });
    audit.record({ action: 'kit.observed', result: 'success', tenant_id: tenant, client_ip: null, actor: { user_id: null, username: null, role: null } });
    await audit.flush(3000);
    res.json({ rid });
  });
  finishApp(http);
  app = await listen(http, 0, '127.0.0.1');
  metricsServer = await serveMetrics(metrics, 0, '127.0.0.1');
  base = `http://127.0.0.1:${portOf(app)}`;
});
afterAll(async () => {
  stopRpc();
  audit.close();
  await closeServer(app, 100);
  await closeServer(metricsServer, 100);
  await nc.drain();
});

const scrape = async () => (await fetch(`http://127.0.0.1:${portOf(metricsServer)}/metrics`)).text();

test('requests are counted by route template and status on the metrics port, never on the service port', async () => {
  expect((await fetch(`${base}/nested/things/abc123`)).status).toBe(200);
  expect((await fetch(`${base}/nested/things/def456`)).status).toBe(200);
  expect((await fetch(`${base}/no/such/path/${randomBytes(4).toString('hex')}`)).status).toBe(404);
  expect((await fetch(`${base}/metrics`)).status).toBe(404);
  const text = await scrape();
  const count = (labels: Record<string, string>) => sampleValue(text, 'http_request_duration_seconds_count', { service: 'kit-test', ...labels });
  expect(count({ method: 'GET', route: '/nested/things/:id', status: '200' })).toBe(2);
  expect(count({ method: 'GET', route: 'unmatched', status: '404' })).toBe(2);
  expect(text).not.toContain('abc123');
  expect(sampleValue(text, 'process_cpu_seconds_total', { service: 'kit-test' })).toBeGreaterThan(0);
  expect((await fetch(`http://127.0.0.1:${portOf(metricsServer)}/other`)).status).toBe(404);
});

test("the request id is echoed, logged, and carried on the request's RPCs and audit events", async () => {
  const rid = `kit-${randomBytes(6).toString('hex')}`;
  const sub = nc.subscribe(auditSubject(tenant, 'kit.observed'), { max: 1 });
  const res = await fetch(`${base}/calls`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': rid }, body: '{"n":1}' });
  expect(res.headers.get('x-request-id')).toBe(rid);
  expect(await res.json()).toEqual({ rid }); // what the RPC handler received in the NATS header
  const jsm = await jetstreamManager(nc);
  const stored = await jsm.streams.getMessage(AUDIT_STREAM.name, { last_by_subj: auditSubject(tenant, 'kit.observed') });
  expect(stored?.header?.get('x-request-id')).toBe(rid);
  expect(stored?.json<{ request_id: string }>().request_id).toBe(rid);
  sub.unsubscribe();
  const access = lines.find((l) => l.msg === 'request' && l.rid === rid);
  expect(access).toMatchObject({ method: 'POST', route: '/calls', status: 200 });
});

test('an unusable incoming id is replaced by a fresh one', async () => {
  const res = await fetch(`${base}/nested/things/x`, { headers: { 'x-request-id': 'bad id with spaces' } });
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});
