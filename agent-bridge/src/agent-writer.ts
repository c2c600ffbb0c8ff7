import { once } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import type { AgentMessage, BridgeMessage } from '@webxterm/contracts';

/**
 * Writes to one agent stream and honours its backpressure: when `write()` returns false, later
 * messages wait (in order) for 'drain'. The wait is bounded: past `maxQueued` bytes the stream is
 * considered stuck and ended.
 */
export class AgentWriter {
  private queue: BridgeMessage[] = [];
  private queuedBytes = 0;
  private waiting = false;

  constructor(private readonly call: grpc.ServerDuplexStream<AgentMessage, BridgeMessage>, private readonly maxQueued = 8 << 20) {}

  send(m: BridgeMessage): void {
    if (this.call.destroyed || this.call.writableEnded) return;
    if (this.waiting) {
      this.queue.push(m);
      this.queuedBytes += m.input?.data.length ?? 64;
      if (this.queuedBytes > this.maxQueued) this.call.emit('error', { code: 8, details: 'agent is not reading', message: 'agent is not reading' });
      return;
    }
    if (!this.call.write(m)) void this.waitForDrain();
  }

  private async waitForDrain(): Promise<void> {
    this.waiting = true;
    while (true) {
      await once(this.call, 'drain').catch(() => undefined);
      if (this.call.destroyed) return;
      let full = false;
      while (this.queue.length && !full) {
        const m = this.queue.shift()!;
        this.queuedBytes -= m.input?.data.length ?? 64;
        full = !this.call.write(m);
      }
      if (!full) { this.waiting = false; return; }
    }
  }
}
