import type { Server } from 'node:http';
import pino from 'pino';
import { z } from 'zod';
import {
  assertSafeUrl, createHttpApp, finishApp, inTimestampRange, isoTimestamp, listen, parseInput, portOf, safeString, ServiceMetrics,
} from '../src';
import { findUnsafeInput } from '../src/safe-input';

describe('findUnsafeInput', () => {
  it.each([
    ['a NUL in a nested string', { a: ['x', 'y\u0000'] }, 'a.1'],
    ['a lone high surrogate', { name: 'x\ud800' }, 'name'],
    ['a lone low surrogate', { name: '\udc00x' }, 'name'],
    ['half a pair at the end', { name: 'x\ud83d' }, 'name'],
    ['a NUL in a field name', { ['a\u0000']: 1 }, ''],
  ])('finds %s', (_n, value, field) => {
    expect(findUnsafeInput(value)?.field).toBe(field);
  });

  it.each([
    ['emoji (a whole surrogate pair)', { name: '😀x😀' }],
    ['odd but valid Unicode', { name: '\ufeff\u202e\u200be\u0301\u{10ffff}' }],
    ['numbers, booleans and null', { a: 1, b: true, c: null, d: [1, 2] }],
  ])('lets %s through', (_n, value) => {
    expect(findUnsafeInput(value)).toBeNull();
  });

  it('refuses nesting past 32 levels without overflowing the stack at 100,000', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeInput(deep)?.problem).toMatch(/Nested more than 32/);
    let ok: unknown = 'x';
    for (let i = 0; i < 31; i++) ok = { a: ok };
    expect(findUnsafeInput(ok)).toBeNull();
  });
});

describe('assertSafeUrl', () => {
  it.each([
    ['/api/users/%00', /Path: Must not contain NUL/],
    ['/api/users/abc%00def', /Path: Must not contain NUL/],
    ['/api/users?tenant_id=a%00', /Query string: Must not contain NUL/],
    ['/api/x/%ED%A0%80', /Malformed percent-encoding in the path/],
    ['/api/x?q=%zz', /Malformed percent-encoding in the query string/],
    ['/api/x?q=%E2%82', /Malformed percent-encoding/],
  ])('refuses %s', (url, message) => {
    expect(() => assertSafeUrl(url)).toThrow(message);
  });

  it('accepts well-encoded Unicode, plus signs and empty values', () => {
    expect(() => assertSafeUrl('/api/x/%F0%9F%98%80?q=a+b%2B&r=&s')).not.toThrow();
  });
});

describe('dates', () => {
  it.each([
    ['0001-01-01T00:00:00Z', true], ['2024-02-29T12:00:00.123456Z', true], ['9999-12-31T23:59:59.999999-14:00', true],
    ['0000-01-01T00:00:00Z', false], ['2026-02-29T00:00:00Z', false], ['2026-02-31T00:00:00Z', false],
    ['2026-13-01T00:00:00Z', false], ['2026-01-01T24:00:00Z', false], ['2026-01-01T23:60:00Z', false], ['yesterday', false],
  ])('%s in range: %s', (iso, ok) => {
    expect(inTimestampRange(iso)).toBe(ok);
  });

  it('isoTimestamp refuses year 0, which zod alone accepts', () => {
    expect(z.iso.datetime({ offset: true }).safeParse('0000-01-01T00:00:00Z').success).toBe(true);
    expect(() => parseInput(z.object({ from: isoTimestamp() }), { from: '0000-01-01T00:00:00Z' })).toThrow('from: Out of range: years 0001 to 9999');
    expect(parseInput(z.object({ from: isoTimestamp() }), { from: '2026-01-01T00:00:00+02:00' }).from).toBe('2026-01-01T00:00:00+02:00');
  });
});

describe('parseInput', () => {
  it('refuses a NUL or a lone surrogate whatever the schema says', () => {
    const loose = z.object({ name: z.string(), tags: z.array(z.string()).optional() });
    expect(() => parseInput(loose, { name: 'a\u0000b' })).toThrow('name: Must not contain NUL characters');
    expect(() => parseInput(loose, { name: 'ok', tags: ['x', '\ud800'] })).toThrow('tags.1: Must be valid Unicode (lone surrogate)');
    expect(parseInput(loose, { name: 'é€😀' })).toEqual({ name: 'é€😀' });
  });

  it('safeString says why', () => {
    expect(() => parseInput(z.object({ s: safeString(5) }), { s: 'x'.repeat(6) })).toThrow('s: At most 5 characters');
    expect(safeString(5).safeParse('a\u0000').success).toBe(false);
  });
});

describe('a service built with createHttpApp', () => {
  let server: Server;
  let base: string;
  const reached: unknown[] = [];

  beforeAll(async () => {
    const app = createHttpApp({ service: 'test', log: pino({ level: 'silent' }), metrics: new ServiceMetrics('test'), jsonLimit: '100kb' });
    app.all('/{*rest}', (req, res) => { reached.push(req.body); res.json({ ok: true }); });
    server = await listen(finishApp(app), 0, '127.0.0.1');
    base = `http://127.0.0.1:${portOf(server)}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, body: string) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it.each([
    ['a NUL in the path', '/things/a%00', '{}'],
    ['a NUL in the query', '/things?q=%00', '{}'],
    ['an encoded surrogate in the path', '/things/%ED%A0%80', '{}'],
    ['a NUL in the body', '/things', '{"name":"a\\u0000"}'],
    ['a lone surrogate in the body', '/things', '{"name":"\\ud800"}'],
    ['a NUL in a field name', '/things', '{"\\u0000":1}'],
    ['a body nested 10,000 deep', '/things', `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
  ])('refuses %s with 400 and a JSON error, before any route runs', async (_n, path, body) => {
    const before = reached.length;
    const r = await post(path, body);
    expect(r.status).toBe(400);
    expect(typeof (await r.json()).error).toBe('string');
    expect(reached.length).toBe(before);
  });

  it('lets ordinary Unicode through', async () => {
    const r = await post('/things/%C3%A9?q=%F0%9F%98%80', '{"name":"é€😀"}');
    expect(r.status).toBe(200);
    expect(reached.at(-1)).toEqual({ name: 'é€😀' });
  });
});
