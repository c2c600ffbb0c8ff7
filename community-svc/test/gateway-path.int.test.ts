/**
 * The board through the real gateway (a process, as `npm start` runs it): the token checked twice,
 * an image of several megabytes through the upload route's own body limit, a 50-MB body refused
 * before it reaches the service, and the image read back through the proxy with its headers.
 */
import { request } from 'node:http';
import sharp from 'sharp';
import { freePort, ServiceProcess, startServiceProcess, uniqueName } from '@webxterm/testkit';
import type { RunningCommunityService } from '../src/main';
import { api, env, person, secret, startService } from './lib/harness';
import { SECRET } from './lib/images';

let svc: RunningCommunityService;
let gateway: ServiceProcess;
const alice = person(uniqueName('gw'), 'user', 'alice');

beforeAll(async () => {
  svc = await startService();
  gateway = await startServiceProcess('gateway', {
    PORT: String(await freePort()), HOST: '127.0.0.1', NATS_URL: env.natsUrl, REDIS_URL: env.redisUrl, JWT_SECRET: secret,
    AUTH_SVC_URL: 'http://127.0.0.1:1', COMMUNITY_SVC_URL: `http://127.0.0.1:${svc.port}`,
  });
}, 60_000);
afterAll(async () => { await gateway?.stop(); await svc.close(); });

/** A noisy photo-sized JPEG (noise does not compress): several megabytes, with EXIF. */
async function bigJpeg(): Promise<Buffer> {
  const [w, h] = [1600, 1200];
  const noise = Buffer.alloc(w * h * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  return sharp(noise, { raw: { width: w, height: h, channels: 3 } })
    .withMetadata({ exif: { IFD0: { Copyright: SECRET } } }).jpeg({ quality: 100 }).toBuffer();
}

function postDeclared(url: string, token: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png', 'content-length': String(size) } }, (res) => {
      answered = true;
      res.resume().on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e) => { if (!answered) reject(e); });
    req.write(Buffer.alloc(64 * 1024));
  });
}

describe('through the gateway', () => {
  it('issues: 401 without a token at the gateway, 201 with one', async () => {
    expect((await api(gateway.url, 'POST', '/api/community/issues', null, { title: 't', body: 'b' })).status).toBe(401);
    expect(await api(gateway.url, 'POST', '/api/community/issues', alice, { title: 't', body: 'b' })).toMatchObject({ status: 201, body: { title: 't' } });
  });

  it('a multi-megabyte JPEG uploads (the route’s own limit), reads back re-encoded with nosniff', async () => {
    const jpeg = await bigJpeg();
    expect(jpeg.length).toBeGreaterThan(1024 * 1024);
    expect(jpeg.length).toBeLessThan(5 * 1024 * 1024);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'photo.jpg');
    const up = await fetch(`${gateway.url}/api/community/upload`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}` }, body: form });
    const body = await up.json() as any;
    expect(up.status).toBe(201);
    expect(body).toMatchObject({ content_type: 'image/jpeg', width: 1600, height: 1200 });
    const back = await fetch(gateway.url + body.url, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe('image/jpeg');
    expect(back.headers.get('x-content-type-options')).toBe('nosniff');
    const data = Buffer.from(await back.arrayBuffer());
    expect(data.includes(SECRET)).toBe(false);
    expect((await sharp(data).metadata()).exif).toBeUndefined();
  });

  it('a 50-MB body → 413 at the gateway, before any of it is read', async () => {
    expect(await postDeclared(`${gateway.url}/api/community/upload`, alice.token, 50 * 1024 * 1024)).toBe(413);
  });
});
