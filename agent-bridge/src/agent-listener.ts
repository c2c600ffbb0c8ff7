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
