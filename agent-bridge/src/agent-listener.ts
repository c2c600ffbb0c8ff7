import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import type * as grpc from '@grpc/grpc-js';

export interface AgentListener { port: number; close(): Promise<void> }

/**
 * Accepts agents' TCP connections on host:port with a listen backlog of `backlog` and hands each to
 * the gRPC server (grpc-js's connection injector, which serves it with `creds`, TLS included).
 *
 * grpc-js's own `bindAsync` listens with Node's default backlog, 511. When a replica dies, its
 * thousands of agents reconnect to the next one within half a second; past 511 connections waiting
 * to be accepted the kernel drops them (SYN cookies, then a reset), and each agent so reset takes
 * one more, doubled, backoff. The kernel caps the backlog at net.core.somaxconn (4096 by default).
 */
export async function listenForAgents(
  server: grpc.Server, creds: grpc.ServerCredentials, host: string, port: number, backlog: number,
): Promise<AgentListener> {
  const injector = server.createConnectionInjector(creds);
  widenReceiveWindows(server);
  const listener = createServer((socket) => injector.injectConnection(socket));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ host, port, backlog }, () => { listener.off('error', reject); resolve(); });
  });
  return {
    port: (listener.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => listener.close(() => resolve())),
  };
}

/**
 * What an agent may send before the bridge acknowledges it: HTTP/2's default window, 64 KiB for the
 * connection and for each stream, is a single output chunk, so a flood waited for a WINDOW_UPDATE
 * round trip after every chunk. grpc-js has no server option for it; the HTTP/2 servers it made
 * (the injector's) are in its `http2Servers` map, and each new session is widened as it starts.
 * (agent-listener.test.ts fails if a grpc-js upgrade moves that map.)
 */
export const AGENT_RECEIVE_WINDOW_BYTES = 4 << 20;

function widenReceiveWindows(server: grpc.Server): void {
  const http2Servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  for (const h2 of http2Servers?.keys() ?? []) {
    const marked = h2 as { [WIDENED]?: true };
    if (marked[WIDENED]) continue; // another listener on the same server widened it already
    marked[WIDENED] = true;
    h2.on('session', (session: ServerHttp2Session) => {
      session.setLocalWindowSize(AGENT_RECEIVE_WINDOW_BYTES);
      session.settings({ initialWindowSize: AGENT_RECEIVE_WINDOW_BYTES });
    });
  }
}
const WIDENED = Symbol('agent receive window widened');
