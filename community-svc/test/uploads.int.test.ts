/** POST /api/community/upload and reading images back, over HTTP with real sharp and PostgreSQL. */
import { request } from 'node:http';
import sharp from 'sharp';
import { createPool, objectId } from '@webxterm/kit';
import { uniqueName } from '@webxterm/testkit';
import type { RunningCommunityService } from '../src/main';
import { api, env, person, Person, startService } from './lib/harness';
import { decompressionBomb, GIF, imageWithMetadata, polyglotJpeg, polyglotPng, SCRIPT, SCRIPT_AS_PNG, SECRET, SVG } from './lib/images';

let svc: RunningCommunityService;
let base: string;
const pool = createPool(env.databaseUrl, 1);
beforeAll(async () => { svc = await startService(); base = `http://127.0.0.1:${svc.port}`; });
afterAll(async () => { await svc.close(); await pool.end(); });
const storedBy = async (who: Person) => Number((await pool.query('SELECT count(*) AS n FROM community.images WHERE uploaded_by = $1', [who.id])).rows[0].n);

const tenant = uniqueName('up');
const alice = person(tenant, 'user', 'alice');
const bob = person(tenant, 'user', 'bob');
const stranger = person(uniqueName('other'), 'company_admin', 'eve');

/** As a browser's FormData sends it: one part with a file name and the type the browser guessed. */
async function uploadForm(who: Person, data: Buffer, filename: string, type: string) {
  const form = new FormData();
  form.append('alt', 'a screenshot');
  form.append('file', new Blob([new Uint8Array(data)], { type }), filename);
  const res = await fetch(`${base}/api/community/upload`, { method: 'POST', headers: { authorization: `Bearer ${who.token}` }, body: form });
  return { status: res.status, body: await res.json() as any };
}

/** The image itself as the body. */
async function uploadRaw(who: Person, data: Buffer, type: string) {
  const res = await fetch(`${base}/api/community/upload`, {
    method: 'POST', headers: { authorization: `Bearer ${who.token}`, 'content-type': type }, body: new Uint8Array(data),
  });
  return { status: res.status, body: await res.json() as any };
}

async function readBack(who: Person, url: string) {
  const res = await fetch(base + url, { headers: { authorization: `Bearer ${who.token}` } });
  return { status: res.status, headers: res.headers, data: Buffer.from(await res.arrayBuffer()) };
}

/**
 * Sends `size` bytes in 64 KiB chunks (declared up front, or chunked when `declare` is false) and
 * resolves with the status as soon as the server answers — which it must do without reading it all.
 */
function sendLarge(who: Person, size: number, declare: boolean): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${base}/api/community/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${who.token}`, 'content-type': 'image/png', ...(declare ? { 'content-length': String(size) } : {}) },
    }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8').on('data', (c) => { body += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, body, sent }));
    });
    req.on('error', (e) => { if (!answered) reject(e); });
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const pump = () => {
      while (!answered && sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { req.once('drain', pump); return; }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('image uploads', () => {
  it.each([['png', 'image/png'], ['jpeg', 'image/jpeg'], ['webp', 'image/webp']] as const)(
    '%s from a form → 201; read back re-encoded: right type, nosniff, metadata gone', async (format, type) => {
      const original = await imageWithMetadata(format, 120, 80);
      const up = await uploadForm(alice, original, `photo.${format}`, type);
      expect(up.status).toBe(201);
      expect(up.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/), url: `/api/community/images/${up.body.id}`, content_type: type, width: 120, height: 80,
        size: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), filename: expect.stringMatching(new RegExp(`^${up.body.id}\\.`)),
        markdown: `![image](/api/community/images/${up.body.id})`, created_at: expect.any(String),
      });
      const back = await readBack(bob, up.body.url);
      expect(back.status).toBe(200);
      expect(back.headers.get('content-type')).toBe(type);
      expect(back.headers.get('x-content-type-options')).toBe('nosniff');
      expect(back.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(back.headers.get('content-disposition')).toBe(`inline; filename="${up.body.filename}"`);
      expect(back.data.length).toBe(up.body.size);
      expect(back.data.equals(original)).toBe(false);
      expect(back.data.includes(SECRET)).toBe(false);
      const meta = await sharp(back.data).metadata();
      expect(meta).toMatchObject({ format, width: 120, height: 80 });
      expect(meta.exif).toBeUndefined();
      const again = await fetch(base + up.body.url, { headers: { authorization: `Bearer ${bob.token}`, 'if-none-match': back.headers.get('etag')! } });
      expect(again.status).toBe(304);
    });

  it('the image itself as the body works too; the type comes from the content, not the header or the name', async () => {
    const png = await imageWithMetadata('png');
    const up = await uploadRaw(alice, png, 'application/octet-stream');
    expect(up).toMatchObject({ status: 201, body: { content_type: 'image/png' } });
    const misnamed = await uploadForm(alice, await imageWithMetadata('jpeg'), 'cat.png', 'image/png');
    expect(misnamed).toMatchObject({ status: 201, body: { content_type: 'image/jpeg' } });
    expect((await readBack(alice, misnamed.body.url)).headers.get('content-type')).toBe('image/jpeg');
  });

  it('polyglots (PNG or JPEG carrying HTML and script) are stored as pixels only', async () => {
    for (const [input, type] of [[await polyglotPng(), 'image/png'], [await polyglotJpeg(), 'image/jpeg']] as const) {
      const up = await uploadForm(alice, input, 'innocent.png', 'image/png');
      expect(up).toMatchObject({ status: 201, body: { content_type: type } });
      const back = await readBack(alice, up.body.url);
      expect(back.headers.get('content-type')).toBe(type);
      expect(back.data.includes('<script')).toBe(false);
      expect(back.data.includes('<html')).toBe(false);
    }
  });

  it.each([
    ['a script renamed .png', SCRIPT_AS_PNG, 'evil.png', 'image/png'],
    ['an SVG (with script)', SVG, 'logo.svg', 'image/svg+xml'],
    ['an SVG named .png', SVG, 'logo.png', 'image/png'],
    ['an HTML page named .jpg', Buffer.from(`<!doctype html><html>${SCRIPT}</html>`), 'x.jpg', 'image/jpeg'],
    ['an empty file', Buffer.alloc(0), 'empty.png', 'image/png'],
  ])('%s → 400, nothing stored', async (_n, data, filename, type) => {
    const mallory = person(tenant, 'user', 'mallory');
    expect(await uploadForm(mallory, data, filename, type)).toMatchObject({ status: 400, body: { error: 'file: must be a PNG, JPEG or WebP image' } });
    expect(await uploadRaw(mallory, data, type)).toMatchObject({ status: 400, body: { error: 'file: must be a PNG, JPEG or WebP image' } });
    expect(await storedBy(mallory)).toBe(0);
  });

  it('a GIF is not accepted either', async () => {
    expect(await uploadRaw(alice, await GIF(), 'image/gif')).toMatchObject({ status: 400 });
  });

  it('a decompression bomb (12 KB, 10,000 × 10,000 pixels) → 413 from its header', async () => {
    const bomb = decompressionBomb(10_000);
    expect(await uploadForm(alice, bomb, 'bomb.png', 'image/png')).toMatchObject({ status: 413, body: { error: 'Image too large: at most 25000000 pixels' } });
    expect((await api(base, 'GET', '/api/community/issues', alice)).status).toBe(200);
  });

  it('a 50-MB body → 413 before it is read, declared or chunked; 5 MB + 1 byte → 413; the service keeps serving', async () => {
    const declared = await sendLarge(alice, 50 * 1024 * 1024, true);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toEqual({ error: 'Image too large: at most 5242880 bytes' });
    expect(declared.sent).toBeLessThan(50 * 1024 * 1024);
    const chunked = await sendLarge(alice, 50 * 1024 * 1024, false);
    expect(chunked.status).toBe(413);
    expect(chunked.sent).toBeLessThan(50 * 1024 * 1024);
    const justOver = Buffer.concat([await imageWithMetadata('png'), Buffer.alloc(5 * 1024 * 1024)]);
    expect(await uploadForm(alice, justOver, 'big.png', 'image/png')).toMatchObject({ status: 413, body: { error: 'Image too large: at most 5242880 bytes' } });
    expect(await uploadRaw(alice, justOver, 'image/png')).toMatchObject({ status: 413 });
    expect((await api(base, 'GET', '/api/community/issues', alice)).status).toBe(200);
  });

  it('a request without a file → 400: JSON, an empty form, a malformed form, a text body', async () => {
    expect(await api(base, 'POST', '/api/community/upload', alice, {})).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^file: Required/) } });
    const empty = new FormData();
    empty.append('alt', 'no file here');
    const r = await fetch(`${base}/api/community/upload`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}` }, body: empty });
    expect(r.status).toBe(400);
    const bad = await fetch(`${base}/api/community/upload`, {
      method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'multipart/form-data' }, body: 'garbage',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'Malformed multipart/form-data body' });
    const text = await fetch(`${base}/api/community/upload`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(400);
  });

  it('images belong to their organization: another one gets 404; no token 401; unknown ids 404', async () => {
    const up = await uploadRaw(alice, await imageWithMetadata('webp'), 'image/webp');
    expect((await readBack(stranger, up.body.url)).status).toBe(404);
    expect((await fetch(base + up.body.url)).status).toBe(401);
    expect((await readBack(alice, `/api/community/images/${objectId()}`)).status).toBe(404);
    expect((await readBack(alice, '/api/community/images/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
    expect((await fetch(`${base}/api/community/upload`, { method: 'POST', body: new Uint8Array(await imageWithMetadata('png')), headers: { 'content-type': 'image/png' } })).status).toBe(401);
  });

  it('parallel uploads are all served (decoding is bounded, the rest wait)', async () => {
    const png = await imageWithMetadata('png', 800, 600);
    const all = await Promise.all(Array.from({ length: 8 }, () => uploadRaw(bob, png, 'image/png')));
    expect(all.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(await storedBy(bob)).toBe(8);
  });
});
