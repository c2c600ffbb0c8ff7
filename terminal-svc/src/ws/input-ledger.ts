import { randomInt } from 'node:crypto';
import { AgentClaimed, packInputFrame } from '@webxterm/contracts';
import type { Bus } from '@webxterm/kit';

/**
 * What an owner socket keeps of its recent keystrokes, to send again when the session's agent
 * reconnects: keys typed while its stream was breaking went to a bridge that no longer reached it,
 * or to no bridge at all. The last 64 frames (a few seconds of fast typing) up to 64 KiB (one frame
 * of the largest size), typed within 30 s (longer than a bridge takes to notice a dead stream, 3 × 5 s).
 */
export const INPUT_KEEP = { frames: 64, bytes: 64 * 1024, ms: 30_000 } as const;

/**
 * Numbers one owner socket's keystroke frames (input-frame.ts) and keeps the recent ones. Kept as
 * numbers and bytes back to back, not as a Buffer per frame: a session's 64 kept keystrokes cost
 * under 2 KiB instead of 18 (500 sessions typing, heap after a full GC).
 */
export class InputLedger {
  readonly writer = randomInt(1, 2 ** 32);
  private seq = 0;
  /** The kept frames, oldest first: when each was typed and its length; their bytes lie in `store` from `start` to `end`. */
  private readonly typedAt: number[] = [];
  private readonly lengths: number[] = [];
  private store = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The browser's bytes as the next frame, kept to be sent again. */
  frame(data: Uint8Array): Buffer {
    this.keep(data);
    return packInputFrame(this.writer, ++this.seq, data);
  }

  /** The frames typed within INPUT_KEEP.ms, oldest first (the agent drops those it already typed). */
  recent(): Buffer[] {
    const since = this.now() - INPUT_KEEP.ms;
    const firstSeq = this.seq - this.typedAt.length + 1;
    const frames: Buffer[] = [];
    for (let i = 0, offset = this.start; i < this.typedAt.length; offset += this.lengths[i++]) {
      if (this.typedAt[i] >= since) frames.push(packInputFrame(this.writer, firstSeq + i, this.store.subarray(offset, offset + this.lengths[i])));
    }
    return frames;
  }

  private keep(data: Uint8Array): void {
    while (this.typedAt.length > 0
      && (this.typedAt.length >= INPUT_KEEP.frames || this.end - this.start + data.length > INPUT_KEEP.bytes)) {
      this.typedAt.shift();
      this.start += this.lengths.shift()!;
    }
    if (this.end + data.length > this.store.length) {
      const live = this.store.subarray(this.start, this.end);
      const next = Buffer.allocUnsafeSlow(Math.max(256, 2 * (live.length + data.length)));
      live.copy(next);
      this.store = next;
      this.start = 0;
      this.end = live.length;
    }
    this.store.set(data, this.end);
    this.end += data.length;
    this.typedAt.push(this.now());
    this.lengths.push(data.length);
  }
}

/**
 * Owner sockets by agent: when an agent's new stream is admitted (`AgentClaimed`, core NATS, heard
 * by every replica, published after the bridge subscribed to the agent's sessions) each of them
 * sends its recent input again.
 */
export class AgentReconnects {
  private readonly byAgent = new Map<string, Set<() => void>>();

  subscribe(bus: Bus): { stop(): void } {
    return bus.subscribe(AgentClaimed, {}, (claim) => this.reconnected(claim.agent_id));
  }

  /** Calls `onReconnect` whenever the agent's stream comes back, until the returned function is called. */
  watch(agentId: string, onReconnect: () => void): () => void {
    let set = this.byAgent.get(agentId);
    if (!set) this.byAgent.set(agentId, set = new Set());
    set.add(onReconnect);
    return () => {
      set.delete(onReconnect);
      if (set.size === 0 && this.byAgent.get(agentId) === set) this.byAgent.delete(agentId);
    };
  }

  reconnected(agentId: string): void {
    for (const f of this.byAgent.get(agentId) ?? []) f();
  }
}
