import http from 'node:http';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { listen } from './http';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One service's Prometheus registry: the process figures (CPU, memory, event loop lag, GC) and the
 * HTTP histogram every Express app of the kit fills; a service adds its own metrics with
 * `registers: [metrics.registry]`. Every series carries `service`.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  /** Requests by method, route template (never the raw path: ids would explode the series) and status. */
  readonly httpRequests: Histogram<'method' | 'route' | 'status'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Histogram({
      name: 'http_request_duration_seconds', help: 'HTTP requests by method, route template and status, and how long they took',
      labelNames: ['method', 'route', 'status'], registers: [this.registry],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    });
  }
}

/**
 * `GET /metrics` on a port of its own (METRICS_PORT): never the service's public or proxied port,
 * so only what may reach that port (Prometheus, by NetworkPolicy) can read it. Port 0 = any free port.
 */
export async function serveMetrics(metrics: ServiceMetrics, port: number, host = '0.0.0.0'): Promise<http.Server> {
  return listen(async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
      return;
    }
    try {
      const body = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (e as Error).message }));
    }
  }, port, host);
}
