/** Where agent-bridge listens, as the platform announces it at `GET <host>/api/agent/bootstrap`. */
export interface BridgeAddress { addresses: string[]; tls: boolean }

export async function discoverBridge(host: string, override?: string): Promise<BridgeAddress> {
  const tls = host.startsWith('https:');
  // A comma-separated list: the agent tries them in turn, so it can fail over between replicas.
  if (override) return { addresses: override.split(',').map((a) => a.trim()).filter(Boolean), tls };
  const res = await fetch(new URL('/api/agent/bootstrap', host), { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /api/agent/bootstrap answered ${res.status}`);
  const body = (await res.json()) as { grpc_address?: string; grpc_tls?: boolean };
  if (!body.grpc_address) throw new Error('the platform did not say where agent-bridge listens');
  return { addresses: body.grpc_address.split(','), tls: body.grpc_tls ?? tls };
}
