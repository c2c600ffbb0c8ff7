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

/** Numbers one owner socket's keystroke frames (input-frame.ts) and keeps the recent ones. */
export class InputLedger {
  readonly writer = randomInt(1, 2 ** 32);
  private seq = 0;
  private kept: { at: number; frame: Buffer }[] = [];
  private keptBytes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The browser's bytes as the next frame, kept to be sent again. */
  frame(data: Uint8Array): Buffer {
    const frame = packInputFrame(this.writer, ++this.seq, data);
    this.kept.push({ at: this.now(), frame });
    this.keptBytes += frame.length;
    while (this.kept.length > INPUT_KEEP.frames || (this.kept.length > 1 && this.keptBytes > INPUT_KEEP.bytes)) {
      this.keptBytes -= this.kept.shift()!.frame.length;
    }
    return frame;
  }

  /** The frames typed within INPUT_KEEP.ms, oldest first (the agent drops those it already typed). */
  recent(): Buffer[] {
    const since = this.now() - INPUT_KEEP.ms;
    return this.kept.filter((k) => k.at >= since).map((k) => k.frame);
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
