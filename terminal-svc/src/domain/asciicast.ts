import type { SessionRecord } from '@webxterm/contracts';

/** asciicast v2: a JSON header line, then `[seconds, "o", text]` per output chunk. */
export function asciicastHeader(s: SessionRecord): string {
  return JSON.stringify({
    version: 2, width: s.cols, height: s.rows, timestamp: Math.floor(Date.parse(s.started_at) / 1000),
    title: `${s.username}@${s.agent_id} (${s.linux_user ?? 'unknown'})`, env: { TERM: 'xterm-256color' },
  });
}

export function asciicastEvent(startedAtMs: number, atMs: number, data: Uint8Array): string {
  return JSON.stringify([Math.max(0, (atMs - startedAtMs) / 1000), 'o', Buffer.from(data).toString('utf8')]);
}
