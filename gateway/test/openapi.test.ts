import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { chromium } from 'playwright-core';
import { AuthApi } from '@webxterm/contracts';
import { API_CATALOGUE } from '../src/api-catalogue';
import { buildOpenApiDocument, openApiPath, routeOf } from '../src/openapi';
import { ROUTE_TABLE, RouteTable } from '../src/routes';
import { call, startTestGateway, TestGateway } from './harness';

// The API describes itself: the OpenAPI 3.1 document is valid, covers the route table and every
// endpoint of docs/api/000, says who may call each operation, and is served with a browsable page
// that runs under a CSP without inline scripts.

const doc = buildOpenApiDocument();
const METHODS = ['get', 'post', 'put', 'delete'] as const;
const operations = Object.entries(doc.paths as Record<string, Record<string, any>>)
  .flatMap(([path, ops]) => METHODS.filter((m) => ops[m]).map((m) => ({ path, method: m, op: ops[m] })));

test('the document passes an OpenAPI 3.1 validator', async () => {
  const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
  expect(result.valid ? '' : compileErrors(result)).toBe('');
  expect(result.valid).toBe(true);
  expect(doc.openapi).toBe('3.1.0');
  // The validator does refuse a broken one: an operation without responses, a parameter without its place.
  const broken = { ...structuredClone(doc), paths: { '/x/{id}': { get: { parameters: [{ name: 'id', schema: {} }] } } } };
  expect((await validate(broken as unknown as Parameters<typeof validate>[0])).valid).toBe(false);
});

test('every route of the gateway table is described by at least one operation', () => {
  const table = new RouteTable();
  const described = new Set(API_CATALOGUE.map((e) => routeOf(e, table)?.path));
  expect(ROUTE_TABLE.map((r) => r.path).filter((p) => !described.has(p))).toEqual([]);
});

test('every endpoint of docs/api/000 is described', () => {
  const dir = join(__dirname, '../../docs/api');
  const text = readFileSync(join(dir, readdirSync(dir).find((f) => f.startsWith('000_'))!), 'utf8');
  const listed = [...text.matchAll(/^\| (GET|POST|PUT|DELETE|WS) \| (\/\S+) \|/gm)].map((m) => `${m[1] === 'WS' ? 'get' : m[1].toLowerCase()} ${openApiPath(m[2])}`);
  expect(listed.length).toBeGreaterThan(60);
  const ours = new Set(operations.map((o) => `${o.method} ${o.path}`));
  expect(listed.filter((e) => !ours.has(e))).toEqual([]);
});

test('every endpoint a service behind the gateway registers is described (read from its route files)', () => {
  const table = new RouteTable();
  const found: string[] = [];
  for (const service of ['auth-svc', 'machine-svc', 'terminal-svc', 'community-svc', 'audit-svc']) {
    const dir = join(__dirname, '../..', service, 'src/http');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const src = readFileSync(join(dir, file), 'utf8');
      for (const m of src.matchAll(/\.(get|post|put|delete)\(\s*'(\/[^']*)'/g)) if (table.resolve(m[2].replace(/:[A-Za-z_]+/g, 'x'))) found.push(`${m[1]} ${openApiPath(m[2])}`);
    }
  }
  expect(found.length).toBeGreaterThan(60);
  const ours = new Set(operations.map((o) => `${o.method} ${o.path}`));
  expect([...new Set(found)].filter((e) => !ours.has(e))).toEqual([]);
});

test('each operation says who may call it, as the route table and the policy decide', () => {
  const table = new RouteTable();
  for (const e of API_CATALOGUE) {
    const op = doc.paths[openApiPath(e.path)][e.method];
    const isPublic = routeOf(e, table)!.access === 'public';
    expect([e.path, op.security]).toEqual([e.path, isPublic ? [] : [{ bearerAuth: [] }]]);
    // Protected: 401 without a valid token. Public: 401 only where credentials are checked (logins).
    const unauthorized = op.responses['401']?.description ?? '';
    expect([e.path, isPublic ? !/token/i.test(unauthorized) : /token/i.test(unauthorized)]).toEqual([e.path, true]);
  }
  const roles = (method: string, path: string) => doc.paths[path][method]['x-roles'];
  expect(roles('post', '/api/machines')).toEqual(['company_admin', 'super_admin']);
  expect(roles('get', '/api/machines')).toEqual(['user', 'company_admin', 'super_admin']);
  expect(roles('delete', '/api/admin/organizations/{id}')).toEqual(['super_admin']);
  expect(doc.paths['/api/admin/organizations/{id}'].delete.responses['403']).toBeDefined();
  expect(doc.paths['/api/auth/login'].post.responses['429']).toBeDefined();
  expect(doc.paths['/api/auth/login'].post.responses['401']).toBeDefined();
  expect(doc.paths['/api/auth/signup'].post.responses['401']).toBeUndefined();
});

test('every error answer is the { error } shape, and every operation has a success answer', () => {
  expect(doc.components.schemas.Error).toEqual({ type: 'object', properties: { error: { type: 'string' } }, required: ['error'] });
  for (const { path, method, op } of operations) {
    const statuses = Object.keys(op.responses);
    expect([path, method, statuses.some((s) => /^(1|2)\d\d$/.test(s))]).toEqual([path, method, true]);
    for (const s of statuses.filter((x) => /^[45]/.test(x))) expect(op.responses[s].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  }
});

test('request bodies are the zod schemas that validate them', () => {
  const body = doc.paths['/api/auth/signup'].post.requestBody.content['application/json'].schema;
  expect([...body.required].sort()).toEqual(Object.keys(AuthApi.SignupBody.shape).sort());
  expect(body.properties.username).toMatchObject({ minLength: 3, maxLength: 50 });
  const issue = doc.paths['/api/community/issues'].post.requestBody.content['application/json'].schema;
  expect(issue.required).toEqual(expect.arrayContaining(['title', 'body']));
  expect(doc.paths['/api/community/upload'].post.requestBody.content['multipart/form-data']).toBeDefined();
});

describe('served by the gateway', () => {
  let gw: TestGateway;
  beforeAll(async () => { gw = await startTestGateway(); });
  afterAll(async () => { await gw?.close(); });

  test('/api/openapi.json is the document, without a token', async () => {
    const r = await call(gw.url, 'GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.body).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  test('/api/docs is a page with no inline script, under a CSP that allows only its own scripts', async () => {
    const r = await fetch(`${gw.url}/api/docs`);
    expect(r.status).toBe(200);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await r.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(2);
    for (const [, attrs, body] of scripts) { expect(attrs).toMatch(/src="\/api\/docs\//); expect(body.trim()).toBe(''); }
    for (const path of ['/api/docs/init.js', '/api/docs/assets/swagger-ui-bundle.js', '/api/docs/assets/swagger-ui.css']) {
      expect([path, (await fetch(gw.url + path)).status]).toEqual([path, 200]);
    }
    const other = await call(gw.url, 'GET', '/api/docs/assets/package.json');
    expect([other.status, other.body]).toEqual([404, { error: 'Not found' }]);
  });

  test('/api/docs renders every operation in a real browser without a CSP violation', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${gw.url}/api/docs`);
      await page.waitForSelector('.opblock', { timeout: 45_000 }); // a 1.5 MB bundle on two busy cores
      expect(await page.locator('.opblock').count()).toBe(operations.length);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
