/**
 * The Profile section of document 000 through the gateway, with real processes and a real agent:
 * a regenerated API key does not cut off a registered machine (it connects with its own
 * credential), while the old key registers nothing new; a password change ends the person's other
 * logins at the gateway; avatars go through the gateway's own upload limit.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { waitUntil } from '@webxterm/testkit';
import { connectOnce, ProbeAgent } from './lib/grpc-probe';
import { Account, TerminalStack } from './lib/terminal-stack';

jest.setTimeout(60_000);
const ROOT = join(__dirname, '..');
const stack = new TerminalStack();
const GRPC_UNAUTHENTICATED = 16;
let owner: Account;
const probes: ProbeAgent[] = [];

/**
 * A POST whose Content-Length says `declared` bytes, of which only 64 KiB are sent; resolves with
 * the answer. (fetch would write on after the answer and fail with EPIPE once the server closes.)
 */
function declaredUpload(url: string, token: string, declared: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png', 'content-length': String(declared) } });
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => { req.destroy(); resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }); });
    });
    req.on('error', (e) => { if (!answered) reject(e); });
    req.write(Buffer.alloc(64 * 1024));
  });
}

const status = async (agentId: string) => (await stack.api(0, 'GET', `/api/machines/${agentId}`, undefined, owner.token)).body.status;
const run = (agentId: string, command: string) => stack.api(0, 'POST', `/api/machines/${agentId}/command`, { command }, owner.token);

beforeAll(async () => {
  await stack.start();
  owner = await stack.signup();
}, 120_000);

afterAll(async () => {
  for (const p of probes) p.close();
  await stack.stop();
}, 60_000);

describe('API keys and registered machines', () => {
  it('after the owner regenerates the key, a registered agent still reconnects and runs commands; the old key registers nothing', async () => {
    expect(owner.apiKey).toMatch(/^vsk_[A-Za-z0-9_-]{43}$/);
    const created = await stack.api(0, 'POST', '/api/machines', { name: 'kept box', linux_user: 'nobody' }, owner.token);
    expect(created.status).toBe(201);
    const agentId: string = created.body.agent_id;
    const { config, child } = await stack.startAgent(owner, created.body.registration_token);
    await waitUntil(async () => (await status(agentId)) === 'online', 20_000, `agent online; log: ${stack.agentLogs.join('\n')}`);
    expect((await run(agentId, 'echo before')).body.output).toContain('before');
    const saved = JSON.parse(readFileSync(config, 'utf8'));
    expect(saved.machine_credential).toMatch(/^vmc_/);

    const regen = await stack.api(0, 'POST', '/api/profile/regenerate-api-key', undefined, owner.token);
    expect(regen.status).toBe(200);
    const newKey: string = regen.body.api_key;
    expect(newKey).toMatch(/^vsk_/);
    expect(newKey).not.toBe(owner.apiKey);

    // The agent goes away and comes back after the regeneration: it holds the old key, now dead,
    // and its machine credential, which is what it connects with.
    expect(saved.api_key).toBe(owner.apiKey);
    child.kill('SIGTERM');
    await waitUntil(async () => (await status(agentId)) === 'offline', 20_000, 'agent offline after it stopped');
    const again = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'agent/src/main.ts'), 'run', '--config', config], { cwd: ROOT, stdio: 'ignore' });
    stack.agents.push(again);
    await waitUntil(async () => (await status(agentId)) === 'online', 20_000, 'agent back online with its machine credential');
    expect((await run(agentId, 'echo after')).body.output).toContain('after');

    // A new machine: the old key is refused, the new one registers it.
    const next = await stack.api(0, 'POST', '/api/machines', { name: 'new box', linux_user: 'nobody' }, owner.token);
    const refused = await connectOnce(stack.bridges[0].grpcPort, owner.apiKey, next.body.agent_id, next.body.registration_token);
    expect(refused.code).toBe(GRPC_UNAUTHENTICATED);
    const p = new ProbeAgent(stack.bridges[0].grpcPort, newKey, next.body.agent_id, { registrationToken: next.body.registration_token });
    probes.push(p);
    await waitUntil(() => p.welcome !== undefined || p.ended !== null, 10_000, 'new key answered');
    expect(p.ended).toBeNull();
    expect(p.welcome.machine_credential).toMatch(/^vmc_/);
  });
});

describe('profile through the gateway', () => {
  it('GET /api/profile is auth-svc’s: the caller, the organization, the key masked', async () => {
    const r = await stack.api(0, 'GET', '/api/profile', undefined, owner.token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: owner.userId, username: owner.username, tenant_id: owner.tenantId, role: 'company_admin',
      organization: { tenant_id: owner.tenantId }, api_key: expect.stringMatching(/^vsk_.{4}…$/), api_key_set: true, avatar_url: null,
    });
  });

  it('an avatar goes through the gateway and comes back re-encoded; a 50 MB body stops at the gateway (413)', async () => {
    const original = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#208040' } })
      .jpeg().withExif({ IFD0: { Copyright: 'E2E-SECRET-EXIF' } }).toBuffer();
    const send = (body: Uint8Array<ArrayBuffer>, type: string) => fetch(`${stack.gateways[1].url}/api/profile/upload-avatar`, {
      method: 'POST', headers: { authorization: `Bearer ${owner.token}`, 'content-type': type }, body,
    });
    const up = await send(new Uint8Array(original), 'image/jpeg');
    expect(up.status).toBe(200);
    const { avatar_url: url } = await up.json() as { avatar_url: string };
    expect((await stack.api(0, 'GET', '/api/profile', undefined, owner.token)).body.avatar_url).toBe(url);
    const back = await fetch(stack.gateways[0].url + url, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toBe('image/jpeg');
    expect(back.headers.get('x-content-type-options')).toBe('nosniff');
    const data = Buffer.from(await back.arrayBuffer());
    expect(data.toString('latin1')).not.toContain('E2E-SECRET-EXIF');
    const meta = await sharp(data).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 300, height: 200 });
    expect(meta.exif).toBeUndefined();
    expect((await fetch(stack.gateways[0].url + url)).status).toBe(401);

    // 50 MB declared: the gateway refuses from the header (its route limit, 3 MB), before reading on.
    expect(await declaredUpload(`${stack.gateways[0].url}/api/profile/upload-avatar`, owner.token, 50 * 1024 * 1024))
      .toEqual({ status: 413, body: { error: 'Request body too large' } });
    const svg = await send(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/png');
    expect(svg.status).toBe(400);
  });

  it('a password change ends the person’s other logins at the gateway at once; the current one goes on', async () => {
    const other = await stack.signup();
    const second = await stack.api(0, 'POST', '/api/auth/login', { email: `${other.username}@example.com`, password: 'a long enough password' });
    expect(second.status).toBe(200);
    const wrong = await stack.api(0, 'POST', '/api/profile/reset-password', { current_password: 'nope', new_password: 'another long password' }, other.token);
    expect(wrong).toMatchObject({ status: 401, body: { error: 'Current password is incorrect' } });
    const ok = await stack.api(1, 'POST', '/api/profile/reset-password', { current_password: 'a long enough password', new_password: 'another long password' }, other.token);
    expect(ok).toMatchObject({ status: 200, body: { other_logins_ended: 1 } });
    expect((await stack.api(0, 'GET', '/api/profile', undefined, second.body.token)).status).toBe(401);
    expect((await stack.api(1, 'GET', '/api/profile', undefined, other.token)).status).toBe(200);
    expect((await stack.api(0, 'POST', '/api/auth/login', { email: `${other.username}@example.com`, password: 'another long password' })).status).toBe(200);
  });
});
