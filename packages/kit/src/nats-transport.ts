import { NatsConnectionImpl, setTransportFactory, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { NodeTransport, nodeResolveHost } from '@nats-io/transport-node/lib/node_transport';

/**
 * nats.js writes what a task published at the end of that task (a microtask): a process relaying
 * many sessions made one `write` per keystroke, and nats-server one read and one wake-up per
 * message. This transport corks its socket at the first write of an event-loop turn and uncorks it
 * in the same turn's check phase (setImmediate), so everything published while handling one batch
 * of ready sockets leaves in one `writev`. A lone message waits for nothing but the rest of its turn.
 */
export class LoopBatchedTransport extends NodeTransport {
  private corked = false;

  override _send(frame: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (socket && !this.corked && !socket.destroyed) {
      this.corked = true;
      socket.cork();
      setImmediate(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    return super._send(frame);
  }
}

/** Connects with the loop-batched transport (the library's `connect()` would install its own). */
export function connectLoopBatched(opts: ConnectionOptions): Promise<NatsConnection> {
  setTransportFactory({ factory: () => new LoopBatchedTransport(), dnsResolveFn: nodeResolveHost });
  return NatsConnectionImpl.connect(opts);
}
