import net from 'node:net';

/**
 * Ports are drawn below Linux's ephemeral range (32768–60999): a port the OS hands out for
 * listening there can be taken a moment later as the source port of any outgoing connection
 * (a fetch, a NATS or PostgreSQL client), before the service that was meant to bind it does.
 */
const LOW = 10_000;
const HIGH = 32_000;
const TAKEN = new Set([1025, 1080, 1883, 3306, 4222, 5432, 5672, 6222, 6379, 7443, 8080, 8081, 8082, 8083, 8084, 8086, 8087, 8222]);

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!TAKEN.has(port) && (await bindable(port))) return port;
  }
  throw new Error(`no free port found between ${LOW} and ${HIGH}`);
}
