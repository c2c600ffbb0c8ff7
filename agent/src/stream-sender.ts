import { type AgentMessage, ChunkBatch, type OutputChunk } from '@webxterm/contracts';
import { atEndOfTurn } from './end-of-turn';

/**
 * Writes the agent's messages to one stream. Once the bridge has welcomed `batches`, output chunks
 * produced in the same turn of the event loop (many sessions echoing at once) leave as one
 * OutputBatch at the end of the turn; any other message sends the chunks before it first, so the
 * stream's order is the order of `send` calls. A batch stops at AGENT_BATCH_MAX_BYTES.
 */
export class StreamSender {
  batches = false;
  private readonly outputs = new ChunkBatch<OutputChunk>(atEndOfTurn, (chunks) =>
    this.write(chunks.length === 1 ? { output: chunks[0] } : { outputs: { chunks } }));

  constructor(private readonly write: (m: AgentMessage) => void) {}

  readonly send = (m: AgentMessage): void => {
    if (m.output && this.batches) return this.outputs.add(m.output);
    this.outputs.flush();
    this.write(m);
  };
}
