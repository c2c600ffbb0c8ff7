import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';

/** Where agent-bridge listens, as the platform announces it at `GET <host>/api/agent/bootstrap`. */
export interface BridgeAddress { addresses: string[]; tls: boolean }

export async function discoverBridge(host: string, override?: string): Promise<BridgeAddress> {
  const tls = host.startsWith('https:');
  // A comma-separated list: the agent tries them in turn, so it can fail over between replicas.
  if (override) return { addresses: override.split(',').map((a) => a.trim()).filter(Boolean), tls };
  const res = await getJson(new URL('/api/agent/bootstrap', host), 10_000);
  if (res.status !== 200) throw new Error(`GET /api/agent/bootstrap answered ${res.status}`);
  const body = res.body as { grpc_address?: string; grpc_tls?: boolean };
  if (!body.grpc_address) throw new Error('the platform did not say where agent-bridge listens');
  return { addresses: body.grpc_address.split(','), tls: body.grpc_tls ?? tls };
}

/**
 * One GET through node:http(s) rather than fetch: fetch's implementation (undici) is loaded on first
 * use and stays for the life of the process, about 5 MB of the agent's memory for this one request.
 */
function getJson(url: URL, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    const req = get(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } }, (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('error', reject);
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: res.statusCode === 200 ? JSON.parse(text) : text });
        } catch (e) {
          reject(new Error(`GET ${url.pathname}: not JSON (${(e as Error).message})`));
        }
      });
    });
    req.on('error', reject);
  });
}
