import type { IncomingMessage } from 'node:http';
import { forwardedClientIp } from '../src';

const req = (remote: string, xff?: string) => ({ headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress: remote } }) as unknown as IncomingMessage;

test('forwardedClientIp reads X-Forwarded-For right to left as far as the trusted hops go, as Express does', () => {
  expect(forwardedClientIp(req('::ffff:10.0.0.9'), 1)).toBe('10.0.0.9'); // nothing forwarded: the socket's peer
  expect(forwardedClientIp(req('10.0.0.9', '203.0.113.7'), 1)).toBe('203.0.113.7'); // the gateway appended the client
  expect(forwardedClientIp(req('10.0.0.9', '198.51.100.1, 203.0.113.7'), 1)).toBe('203.0.113.7'); // a client's own entry is not trusted
  expect(forwardedClientIp(req('10.0.0.9', '198.51.100.1, 203.0.113.7'), 2)).toBe('198.51.100.1');
  expect(forwardedClientIp(req('10.0.0.9', '203.0.113.7'), 5)).toBe('203.0.113.7'); // no further than the chain
  expect(forwardedClientIp(req('10.0.0.9', '203.0.113.7'), 0)).toBe('10.0.0.9');
});
