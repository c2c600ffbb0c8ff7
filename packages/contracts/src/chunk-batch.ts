import { AGENT_BATCH_MAX_BYTES } from './agent-proto';

/**
 * Chunks gathered for one message of the agent protocol (InputBatch or OutputBatch): the first
 * chunk schedules the flush (`schedule`: the end of the turn, or of the current task); a chunk that
 * would take the batch past AGENT_BATCH_MAX_BYTES sends the batch so far first. `flush()` is also
 * what a writer calls before any other message, so the stream keeps the order of sending.
 */
export class ChunkBatch<T extends { data: Uint8Array }> {
  private chunks: T[] = [];
  private bytes = 0;

  constructor(
    private readonly schedule: (flush: () => void) => void,
    private readonly emit: (chunks: T[]) => void,
  ) {}

  add(chunk: T): void {
    if (this.bytes + chunk.data.length > AGENT_BATCH_MAX_BYTES) this.flush();
    this.chunks.push(chunk);
    this.bytes += chunk.data.length;
    if (this.chunks.length === 1) this.schedule(this.flush);
  }

  readonly flush = (): void => {
    if (!this.chunks.length) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.bytes = 0;
    this.emit(chunks);
  };
}
