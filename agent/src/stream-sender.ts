import type { AgentMessage, OutputChunk } from '@webxterm/contracts';
import { atEndOfTurn } from './end-of-turn';

/**
 * Writes the agent's messages to one stream. Once the bridge has welcomed `batches`, output chunks
 * produced in the same turn of the event loop (many sessions echoing at once) leave as one
 * OutputBatch at the end of the turn; any other message sends the chunks before it first, so the
 * stream's order is the order of `send` calls.
 */
export class StreamSender {
  batches = false;
  private chunks: OutputChunk[] = [];

  constructor(private readonly write: (m: AgentMessage) => void) {}

  readonly send = (m: AgentMessage): void => {
    if (m.output && this.batches) {
      this.chunks.push(m.output);
      if (this.chunks.length === 1) atEndOfTurn(this.flush);
      return;
    }
    this.flush();
    this.write(m);
  };

  private readonly flush = (): void => {
    if (!this.chunks.length) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.write(chunks.length === 1 ? { output: chunks[0] } : { outputs: { chunks } });
  };
}
