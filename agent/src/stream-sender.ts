import { type AgentMessage, AGENT_BATCH_MAX_BYTES, type OutputChunk } from '@webxterm/contracts';
import { atEndOfTurn } from './end-of-turn';

/**
 * Writes the agent's messages to one stream. Once the bridge has welcomed `batches`, output chunks
 * produced in the same turn of the event loop (many sessions echoing at once) leave as one
 * OutputBatch at the end of the turn; any other message sends the chunks before it first, so the
 * stream's order is the order of `send` calls. A batch stops at AGENT_BATCH_MAX_BYTES.
 */
export class StreamSender {
  batches = false;
  private chunks: OutputChunk[] = [];
  private bytes = 0;

  constructor(private readonly write: (m: AgentMessage) => void) {}

  readonly send = (m: AgentMessage): void => {
    if (m.output && this.batches) {
      if (this.bytes + m.output.data.length > AGENT_BATCH_MAX_BYTES) this.flush();
      this.chunks.push(m.output);
      this.bytes += m.output.data.length;
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
    this.bytes = 0;
    this.write(chunks.length === 1 ? { output: chunks[0] } : { outputs: { chunks } });
  };
}
