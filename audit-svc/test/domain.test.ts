import { createHash } from 'node:crypto';
import { AppError } from '@webxterm/kit';
import type { AccessClaims } from '@webxterm/contracts';
import { auditScope } from '../src/domain/access';
import { canonicalJson, ChainLink, chainHash, ChainVerifier, GENESIS_HASH } from '../src/domain/chain';
import { parseAuditMessage } from '../src/domain/event';
import { decodeCursor, encodeCursor, textMatch } from '../src/domain/query';
import { makeEvent } from './harness';

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, drops undefined members, has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, u: undefined }))
      .toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same text whatever order the keys came in', () => {
    const a = { id: 'x', actor: { user_id: null, role: 'user', username: 'a' }, at: 't' };
    const b = { at: 't', actor: { username: 'a', role: 'user', user_id: null }, id: 'x' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"': 'a\nb\u2028é' })).toBe(JSON.stringify({ 'k"': 'a\nb\u2028é' }));
  });
});

describe('chainHash', () => {
  it('is sha256 over the previous hash followed by the canonical JSON', () => {
    const e = { b: 2, a: 1 };
    const expected = createHash('sha256').update(`${GENESIS_HASH}{"a":1,"b":2}`).digest('hex');
    expect(chainHash(GENESIS_HASH, e)).toBe(expected);
  });
});

function chainOf(n: number): ChainLink[] {
  const links: ChainLink[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const event = makeEvent('t1');
    const hash = chainHash(prev, event);
    links.push({ seq, id: event.id, prev_hash: prev, hash, event });
    prev = hash;
  }
  return links;
}

describe('ChainVerifier', () => {
  const head = (links: ChainLink[]) => ({ seq: links.length, hash: links[links.length - 1].hash });

  it('accepts an intact chain fed in pages', () => {
    const links = chainOf(5);
    const v = new ChainVerifier();
    expect(v.add(links.slice(0, 2))).toBe(true);
    expect(v.add(links.slice(2))).toBe(true);
    expect(v.finish(head(links))).toBeNull();
    expect(v.checked).toBe(5);
  });

  it('accepts an empty chain with no head', () => {
    expect(new ChainVerifier().finish(null)).toBeNull();
  });

  it.each([
    ['an edited event', (l: ChainLink[]) => { (l[2].event as { action: string }).action = 'auth.logout'; }, 3, 'hash_mismatch'],
    ['an edited hash', (l: ChainLink[]) => { l[2].hash = 'f'.repeat(64); }, 3, 'hash_mismatch'],
    ['a deleted link', (l: ChainLink[]) => { l.splice(2, 1); }, 4, 'seq_gap'],
    ['a deleted link, renumbered', (l: ChainLink[]) => { l.splice(2, 1); l.slice(2).forEach((x) => x.seq--); }, 3, 'prev_hash_mismatch'],
    ['two links swapped', (l: ChainLink[]) => { [l[1].event, l[2].event] = [l[2].event, l[1].event]; }, 2, 'hash_mismatch'],
  ])('reports %s at the first broken link', (_name, tamper, seq, reason) => {
    const links = chainOf(5);
    const h = head(links);
    tamper(links);
    const v = new ChainVerifier();
    v.add(links);
    const broken = v.finish(h);
    expect(broken).toMatchObject({ seq, reason });
    expect(broken!.id).toBe(links.find((x) => x.seq === seq)!.id);
  });

  it('reports a deleted tail against the head', () => {
    const links = chainOf(5);
    const v = new ChainVerifier();
    v.add(links.slice(0, 4));
    expect(v.finish(head(links))).toEqual({ seq: 5, id: null, reason: 'head_mismatch' });
  });
});

describe('parseAuditMessage', () => {
  const ok = makeEvent('acme');
  it('accepts a valid event and drops unknown fields', () => {
    const r = parseAuditMessage(JSON.stringify({ ...ok, extra: 1 }));
    expect(r).toEqual({ ok: true, event: ok });
  });
  it.each([
    ['not JSON', '{', 'not JSON'],
    ['a schema violation', JSON.stringify({ ...ok, result: 'maybe' }), 'result'],
    ['a missing id', JSON.stringify({ ...ok, id: undefined }), 'id'],
    ['a tenant that is no subject token', JSON.stringify({ ...ok, tenant_id: 'a.b' }), 'tenant_id'],
    ['an empty tenant', JSON.stringify({ ...ok, tenant_id: '' }), 'tenant_id'],
    ['a NUL character', JSON.stringify({ ...ok, reason: 'a\u0000b' }), 'event.reason'],
    ['an unpaired surrogate in a key', JSON.stringify({ ...ok, details: { ['\ud800']: 1 } }), 'event.details.<key>'],
  ])('refuses %s', (_name, body, reasonPart) => {
    const r = parseAuditMessage(body);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reasonPart);
  });
  it('accepts paired surrogates (emoji)', () => {
    expect(parseAuditMessage(JSON.stringify({ ...ok, reason: 'ok 🙂' })).ok).toBe(true);
  });
});

describe('cursor and text filters', () => {
  it('round-trips a cursor and refuses a forged one', () => {
    const c = { at: '2026-03-01T00:00:00.123456Z', id: '6b1d1b4e-3c61-4a8e-9a53-1c7a3b8e2f10' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    for (const bad of ['', 'xyz', Buffer.from('["x","y"]').toString('base64url'), Buffer.from('{}').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(AppError);
    }
  });
  it('reads a trailing * as a prefix', () => {
    expect(textMatch('auth.*')).toEqual({ prefix: 'auth.' });
    expect(textMatch('auth.login')).toEqual({ exact: 'auth.login' });
  });
});

describe('auditScope', () => {
  const actor = (role: AccessClaims['role'], tenant_id = 'a') => ({ role, tenant_id, user_id: 'u' }) as AccessClaims;
  const kind = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return (e as AppError).kind; } };
  it('gives super_admin every tenant, or the one named', () => {
    expect(auditScope(actor('super_admin'))).toBe('*');
    expect(auditScope(actor('super_admin'), 'b')).toBe('b');
  });
  it('keeps company_admin in their organization', () => {
    expect(auditScope(actor('company_admin'))).toBe('a');
    expect(auditScope(actor('company_admin'), 'a')).toBe('a');
    expect(kind(() => auditScope(actor('company_admin'), 'b'))).toBe('not_found');
  });
  it('refuses role user, whatever tenant is named', () => {
    expect(kind(() => auditScope(actor('user')))).toBe('forbidden');
    expect(kind(() => auditScope(actor('user'), 'a'))).toBe('forbidden');
    expect(kind(() => auditScope(actor('user'), 'b'))).toBe('forbidden');
  });
});
