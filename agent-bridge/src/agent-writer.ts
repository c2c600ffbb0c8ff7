import { once } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { type AgentMessage, type BridgeMessage, ChunkBatch, type InputChunk } from '@webxterm/contracts';

const messageBytes = (m: BridgeMessage) => m.input?.data.length ?? m.inputs?.chunks.reduce((n, c) => n + c.data.length, 0) ?? 64;

/**
 * Writes to one agent stream and honours its backpressure: when `write()` returns false, later
 * messages wait (in order) for 'drain'. The wait is bounded: past `maxQueued` bytes the stream is
 * considered stuck and ended. For an agent that reads InputBatch (`batches`), the keystrokes of many
 * sessions that one read from NATS delivers (its messages are handled in one go) leave as one
 * message once that read is handled (a microtask: the gRPC write still goes out in the same turn of
 * the event loop); any other message sends the keystrokes before it first, so order is kept. A
 * batch stops at AGENT_BATCH_MAX_BYTES.
 */
export class AgentWriter {
  private queue: BridgeMessage[] = [];
  private queuedBytes = 0;
  private waiting = false;
  private readonly inputs = new ChunkBatch<InputChunk>(queueMicrotask, (chunks) =>
    this.write(chunks.length === 1 ? { input: chunks[0] } : { inputs: { chunks } }));

  constructor(
    private readonly call: grpc.ServerDuplexStream<AgentMessage, BridgeMessage>,
    private readonly batches = false,
    private readonly maxQueued = 8 << 20,
  ) {}

  send(m: BridgeMessage): void {
    if (m.input && this.batches) return this.inputs.add(m.input);
    this.inputs.flush();
    this.write(m);
  }

  private write(m: BridgeMessage): void {
    if (this.call.destroyed || this.call.writableEnded) return;
    if (this.waiting) {
      this.queue.push(m);
      this.queuedBytes += messageBytes(m);
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
        this.queuedBytes -= messageBytes(m);
        full = !this.call.write(m);
      }
      if (!full) { this.waiting = false; return; }
    }
  }
}
