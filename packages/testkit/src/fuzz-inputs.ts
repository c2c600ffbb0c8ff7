/**
 * Bad inputs for the gateway fuzz test: strings, values, path segments, query strings and raw
 * bodies that a careless or hostile client sends. Everything is drawn from a seeded Prng.
 */
import type { Prng } from './fuzz-prng';

/** Text a JSON body can carry that a naive service passes to PostgreSQL or a log. */
export function badString(r: Prng): string {
  const word = r.pick(['a', 'admin', 'x'.repeat(r.int(1, 40)), 'ffffffffffffffffffffffff', 'ag_0123456789abcdef0123']);
  const kinds: Array<() => string> = [
    () => `${word}\u0000${word}`,
    () => '\u0000',
    () => `${word}\u0000`,
    () => `${word}\ud800${word}`, // lone high surrogate
    () => `\udc00${word}`, // lone low surrogate
    () => `${word}\ud83d`, // a surrogate pair cut in half
    () => '\ufeff\u202e\u200b\u2028\u2029', // BOM, right-to-left override, zero width, line/paragraph separators
    () => `e\u0301${'\u0301'.repeat(r.int(10, 500))}`, // combining marks
    () => '😀'.repeat(r.int(1, 20_000)),
    () => '\uffff\ufffe\u{10ffff}',
    () => '\u0001\u0007\u001b[31m\u007f\r\n\t',
    () => 'a'.repeat(r.pick([101, 255, 1025, 65_537, 200_000])),
    () => "' OR 1=1 --",
    () => '%_\\$1${x}{{x}}',
    () => '',
    () => ' ',
    () => '../../etc/passwd',
    () => 'İıǅß\u0130ﬀＡ',
    () => '0000-01-01T00:00:00Z',
    () => '-000001-01-01T00:00:00Z',
    () => '+275760-09-13T00:00:00.000Z',
    () => '2026-02-30T00:00:00Z',
    () => '9999-12-31T23:59:59.999999-14:00',
    () => 'null',
    () => 'NaN',
    () => '__proto__',
  ];
  return r.pick(kinds)();
}

/** A value of any JSON type that is wrong for the field (or a bad string). */
export function badValue(r: Prng): unknown {
  const kinds: Array<() => unknown> = [
    () => badString(r),
    () => badString(r),
    () => badString(r),
    () => null,
    () => r.pick([true, false]),
    () => r.pick([0, -1, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e21, 1e308, -0]),
    () => [],
    () => [badString(r)],
    () => Array.from({ length: r.pick([2, 100, 10_000]) }, () => 'x'),
    () => ({}),
    () => ({ $gt: '' }),
    () => ({ toString: 'x', valueOf: 1 }),
    () => deepArray(r.pick([5, 40, 2_000])),
    () => deepObject(r.pick([5, 40, 2_000])),
  ];
  return r.pick(kinds)();
}

export function deepArray(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

export function deepObject(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/**
 * Percent-encodes text as a client would, except that a lone surrogate becomes its CESU-8 bytes
 * (%ED%A0%80), which is what a broken encoder sends; encodeURIComponent itself throws on it.
 */
export function encodeLoose(s: string): string {
  let out = '';
  for (const ch of s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g) ?? []) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) {
      out += `%${(0xe0 | (c >> 12)).toString(16).toUpperCase()}%${(0x80 | ((c >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (c & 0x3f)).toString(16).toUpperCase()}`;
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

/** A path segment, already in its on-the-wire form. */
export function badSegment(r: Prng): string {
  const kinds: Array<() => string> = [
    () => '%00',
    () => `abc%00def`,
    () => `ffffffffffffffffffffff%00`,
    () => '%ED%A0%80', // an encoded lone surrogate (invalid UTF-8)
    () => '%C0%80', // overlong NUL
    () => '%FF%FE',
    () => '%',
    () => '%zz',
    () => '%E2%82', // truncated sequence
    () => 'a'.repeat(r.pick([64, 1000, 6000])),
    () => '%F0%9F%98%80',
    () => '%E2%80%AE%E2%80%8B',
    () => '..',
    () => '%2e%2e',
    () => '%2F',
    () => '0',
    () => '-1',
    () => 'ffffffffffffffffffffffff',
    () => 'FFFFFFFFFFFFFFFFFFFFFFFF',
    () => 'ag_ffffffffffffffffffff',
    () => "'%20OR%201=1--",
    () => 'null',
    () => '%5Bobject%20Object%5D',
    () => encodeLoose(badString(r)).slice(0, 8000),
  ];
  return r.pick(kinds)();
}

const QUERY_NAMES = ['tenant_id', 'limit', 'page', 'cursor', 'from', 'to', 'q', 'user', 'user_id', 'action', 'resource', 'result', 'token'];

/** A query string (without `?`) with bad filters for `fields` (the endpoint's own) or any known name. */
export function badQuery(r: Prng, fields: readonly string[]): string {
  const name = r.pick(fields.length && r.chance(0.8) ? fields : QUERY_NAMES);
  const value = (): string => {
    const kinds: Array<() => string> = [
      () => encodeLoose(badString(r)).slice(0, 12_000),
      () => r.pick(['%00', 'a%00b', '%ED%A0%80', '%C0%80', '%', '%zz', '%FF']),
      () => encodeLoose(r.pick(['0000-01-01T00:00:00Z', '0000-12-31T23:59:59.999Z', '-000001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z',
        '2026-02-30', '0001-01-01T00:00:00+14:00', '9999-12-31T23:59:59.999999-14:00', 'yesterday'])),
      () => r.pick(['-1', '0', '1e309', 'NaN', 'Infinity', '99999999999999999999', '1.5', '0x10', '']),
      () => Buffer.from(JSON.stringify(r.pick([
        ['0000-01-01T00:00:00.000000Z', '00000000-0000-0000-0000-000000000000'],
        ['9999-99-99T99:99:99.999999Z', '00000000-0000-0000-0000-000000000000'],
        ['2026-01-01T00:00:00.000000Z', 'a\u0000'],
        [1, 2], 'x', null,
      ]))).toString('base64url'),
      () => encodeLoose(r.pick(['success', 'denied', 'failure', 'other', 'auth.*', '*', '**', 'POST /api/users*'])),
    ];
    return r.pick(kinds)();
  };
  switch (r.int(0, 5)) {
    case 0: return `${name}=${value()}&${name}=${value()}`; // repeated
    case 1: return `${name}[]=${value()}&${name}[a]=b`; // array and object syntax
    case 2: return `${encodeLoose(badString(r)).slice(0, 200)}=${value()}`; // a bad name
    case 3: return Array.from({ length: r.int(2, 6) }, () => `${r.pick(fields.length ? fields : QUERY_NAMES)}=${value()}`).join('&');
    default: return `${name}=${value()}`;
  }
}

/** A raw request body and its content type, for what JSON.stringify cannot produce. */
export function badRawBody(r: Prng, template: Record<string, unknown>): { body: Buffer; type: string } {
  const json = JSON.stringify(template);
  const kinds: Array<() => { body: Buffer; type: string }> = [
    () => ({ body: Buffer.from(json.slice(0, Math.max(1, json.length - r.int(1, 5)))), type: 'application/json' }), // truncated
    () => ({ body: Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xed, 0xa0, 0x80, 0xff, 0xc0, 0x80]), Buffer.from('"}')]), type: 'application/json' }),
    () => ({ body: Buffer.from(`\ufeff${json}`), type: 'application/json' }),
    () => ({ body: Buffer.from(''), type: 'application/json' }),
    () => ({ body: Buffer.from('null'), type: 'application/json' }),
    () => ({ body: Buffer.from(json), type: 'text/plain' }),
    () => ({ body: Buffer.from(json), type: 'application/json; charset=utf-16' }),
    () => ({ body: Buffer.from(json, 'latin1'), type: 'application/json; charset=latin1' }),
    () => ({ body: Buffer.from('a=1&b=%00'), type: 'application/x-www-form-urlencoded' }),
    () => ({ body: Buffer.from(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), type: 'application/json' }),
    () => ({ body: Buffer.from(`{"a":"${'x'.repeat(1_200_000)}"}`), type: 'application/json' }), // over the gateway's 1 MB
    () => ({ body: Buffer.from(`{"a":1,"a":{"__proto__":{"admin":true}},"constructor":{"prototype":{"x":1}}}`), type: 'application/json' }),
    () => ({ body: Buffer.from(json.replace(/"$/, '\\u0000"').replace(/:"/, ':"\\u0000')), type: 'application/json' }),
    () => ({ body: Buffer.from(json.replace(/:"/, ':"\\ud800')), type: 'application/json' }),
  ];
  return r.pick(kinds)();
}
