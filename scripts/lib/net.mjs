// TCP / HTTP probes. Every loop here is bounded in time and count.
import net from 'node:net';
import http from 'node:http';

/** True when something accepts a TCP connection on host:port within timeoutMs. */
export function isListening(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result) => { socket.destroy(); resolve(result); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Status code of GET url, or 0 when nothing answers within timeoutMs. */
export function httpStatus(url, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.once('timeout', () => { req.destroy(); resolve(0); });
    req.once('error', () => resolve(0));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` every intervalMs until it returns a truthy value, `abort` returns a reason, or
 * timeoutMs elapses. Returns { value } or { reason }.
 */
export async function pollUntil(check, { timeoutMs, intervalMs = 250, abort = () => null }) {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < Math.ceil(timeoutMs / intervalMs) + 1; attempt++) {
    const value = await check();
    if (value) return { value };
    const reason = abort();
    if (reason) return { reason };
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  return { reason: `not ready after ${Math.round(timeoutMs / 1000)} s` };
}

/** Host and port of a service URL (postgres://, redis://, nats:// or a bare host:port). */
export function hostPort(url, defaultPort) {
  const first = url.split(',')[0].trim();
  const parsed = new URL(first.includes('://') ? first : `tcp://${first}`);
  return { host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(parsed.port || defaultPort) };
}
