/**
 * The browser side of docs/terminal-protocol.md, without any UI: binary frames are terminal bytes
 * (each one the next seq), text frames are JSON control messages. On an unexpected close it
 * reconnects by itself with `session_id` and `last_seq`, so output resumes with nothing lost and
 * nothing repeated.
 */

export type ConnectionState =
  | { kind: 'connecting' }
  /** `agentAway`: terminal-svc said the keys reach no agent (its bridge is being replaced); they are typed when it is back. */
  | { kind: 'open'; sessionId: string; readOnly: boolean; agentAway?: boolean }
  | { kind: 'reconnecting'; attempt: number }
  | { kind: 'offline'; attempt: number }
  | { kind: 'exited'; code: number | null }
  | { kind: 'refused'; reason: string }
  | { kind: 'closed' };

/** Why a socket failed before its first message, as the API tells it. */
export type Diagnosis = { kind: 'retry' } | { kind: 'offline' } | { kind: 'refused'; reason: string };

type Socket = Pick<WebSocket, 'send' | 'close' | 'readyState' | 'binaryType'> & {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
};

export interface TerminalConnectionOptions {
  /** ws:// or wss:// origin of the API. */
  origin: string;
  agentId: string;
  token(): string | null;
  /** Attach to this session instead of opening one. */
  sessionId?: string;
  mode?: 'owner' | 'view';
  size(): { cols: number; rows: number };
  onOutput(bytes: Uint8Array): void;
  onState(state: ConnectionState): void;
  onNotice?(message: string): void;
  /** Asked when a socket fails before any message: machine offline, refused, or try again. */
  diagnose?(sessionId: string | undefined): Promise<Diagnosis>;
  WebSocketImpl?: new (url: string) => Socket;
  /** Longest wait between reconnect attempts. */
  maxBackoffMs?: number;
  pingEveryMs?: number;
}

const OPEN = 1;
const encoder = new TextEncoder();
/** terminal-svc closes the socket (1009) on a frame over 64 KiB (docs/terminal-protocol.md): a longer paste goes as several frames. */
export const MAX_INPUT_FRAME_BYTES = 64 * 1024;

/**
 * Keys typed while the socket is down (the console says "reconnecting") wait and are sent once the
 * session is resumed, as the server does for keys typed while the agent reconnects: those typed in
 * the last 30 s, up to 64 KiB (more is dropped). Older ones are dropped rather than typed late.
 */
export const HELD_INPUT = { ms: 30_000, bytes: 64 * 1024 } as const;

export class TerminalConnection {
  sessionId: string | undefined;
  /** The seq of the last output frame received: a resume continues right after it. */
  lastSeq = 0;
  readOnly: boolean;
  state: ConnectionState = { kind: 'connecting' };
  private ws: Socket | null = null;
  private attempt = 0;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ping: ReturnType<typeof setInterval> | undefined;
  /** When the unanswered ping went out, and the last ping → pong round trip (reported with the next ping). */
  private pingSentAt = 0;
  private rttMs: number | undefined;
  private size = { cols: 0, rows: 0 };
  private held: { at: number; bytes: Uint8Array }[] = [];
  private heldBytes = 0;

  constructor(private readonly o: TerminalConnectionOptions) {
    this.sessionId = o.sessionId;
    this.readOnly = o.mode === 'view';
  }

  url(): string {
    const { cols, rows } = this.o.size();
    const q = new URLSearchParams({ token: this.o.token() ?? '', cols: String(cols), rows: String(rows) });
    if (this.sessionId) {
      q.set('session_id', this.sessionId);
      q.set('last_seq', String(this.lastSeq));
    }
    if (this.o.mode === 'view') q.set('mode', 'view');
    return `${this.o.origin}/api/terminal/${encodeURIComponent(this.o.agentId)}/ws?${q}`;
  }

  connect(): void {
    if (this.stopped) return;
    const Impl = this.o.WebSocketImpl ?? (WebSocket as unknown as new (url: string) => Socket);
    const ws = new Impl(this.url());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let greeted = false;
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      if (typeof ev.data === 'string') {
        greeted = true;
        this.control(ev.data);
      } else {
        this.lastSeq += 1;
        this.o.onOutput(new Uint8Array(ev.data as ArrayBuffer));
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.ping);
      void this.closed(ev.code, ev.reason, greeted);
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  /** Keystrokes (owner only; a viewer's are dropped here rather than refused by the server). */
  send(data: string | Uint8Array): void {
    if (this.readOnly || this.stopped) return;
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    if (this.state.kind !== 'open' || this.ws?.readyState !== OPEN) {
      if (this.heldBytes + bytes.length > HELD_INPUT.bytes) return;
      this.held.push({ at: Date.now(), bytes });
      this.heldBytes += bytes.length;
      return;
    }
    this.write(bytes);
  }

  private write(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; at += MAX_INPUT_FRAME_BYTES) this.ws!.send(bytes.subarray(at, at + MAX_INPUT_FRAME_BYTES));
  }

  /** The session is open again: the keys typed meanwhile, if recent enough, in order. */
  private sendHeld(): void {
    const since = Date.now() - HELD_INPUT.ms;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    if (this.readOnly) return;
    for (const h of held) if (h.at >= since) this.write(h.bytes);
  }

  resize(cols: number, rows: number): void {
    if (cols === this.size.cols && rows === this.size.rows) return;
    this.size = { cols, rows };
    this.sendControl({ type: 'resize', cols, rows });
  }

  close(): void {
    this.stopped = true;
    this.held = [];
    this.heldBytes = 0;
    clearTimeout(this.timer);
    clearInterval(this.ping);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    if (this.state.kind !== 'exited' && this.state.kind !== 'refused') this.setState({ kind: 'closed' });
  }

  /** Try again now (the browser came back online). */
  retryNow(): void {
    if (this.stopped || this.ws || (this.state.kind !== 'reconnecting' && this.state.kind !== 'offline')) return;
    clearTimeout(this.timer);
    this.connect();
  }

  /** The protocol's ping; it carries the previous round trip, which terminal-svc counts for its metrics. */
  private sendPing(): void {
    if (this.ws?.readyState !== OPEN) return;
    this.ws.send(JSON.stringify(this.rttMs === undefined ? { type: 'ping' } : { type: 'ping', rtt_ms: this.rttMs }));
    this.pingSentAt = Date.now();
  }

  private sendControl(msg: Record<string, unknown>): void {
    if (this.readOnly || !this.ws || this.ws.readyState !== OPEN) return;
    this.ws.send(JSON.stringify(msg));
  }

  private control(text: string): void {
    let msg: { type?: string; [k: string]: unknown };
    try { msg = JSON.parse(text); } catch { return; }
    switch (msg.type) {
      case 'session': {
        this.sessionId = String(msg.session_id);
        this.lastSeq = Number(msg.seq) || 0;
        this.readOnly = Boolean(msg.read_only) || this.o.mode === 'view';
        this.attempt = 0;
        this.size = { cols: Number(msg.cols) || 0, rows: Number(msg.rows) || 0 };
        this.setState({ kind: 'open', sessionId: this.sessionId, readOnly: this.readOnly });
        const want = this.o.size();
        this.resize(want.cols, want.rows); // a resumed session may have another size than this window
        this.sendHeld();
        clearInterval(this.ping);
        this.ping = setInterval(() => this.sendPing(), this.o.pingEveryMs ?? 25_000);
        break;
      }
      case 'exit':
        this.stopped = true;
        this.setState({ kind: 'exited', code: typeof msg.code === 'number' ? msg.code : null });
        break;
      case 'agent':
        if (this.state.kind === 'open') this.setState({ ...this.state, agentAway: msg.connected === false });
        break;
      case 'error':
        this.o.onNotice?.(String(msg.error));
        break;
      case 'pong':
        if (this.pingSentAt) this.rttMs = Date.now() - this.pingSentAt;
        this.pingSentAt = 0;
        break;
      default:
        break; // anything newer
    }
  }

  private async closed(code: number, reason: string, greeted: boolean): Promise<void> {
    if (this.stopped) return;
    if (code === 4403) {
      this.stopped = true;
      this.setState({ kind: 'refused', reason: reason || 'Access to this machine was revoked.' });
      return;
    }
    if (code === 1000) { // the session ended (the exit message normally came first)
      this.stopped = true;
      if (this.state.kind !== 'exited') this.setState({ kind: 'exited', code: null });
      return;
    }
    this.attempt += 1;
    if (!greeted && this.o.diagnose) {
      const d = await this.o.diagnose(this.sessionId).catch((): Diagnosis => ({ kind: 'retry' }));
      if (this.stopped) return;
      if (d.kind === 'refused') {
        this.stopped = true;
        this.setState({ kind: 'refused', reason: d.reason });
        return;
      }
      this.setState(d.kind === 'offline' ? { kind: 'offline', attempt: this.attempt } : { kind: 'reconnecting', attempt: this.attempt });
    } else {
      this.setState({ kind: 'reconnecting', attempt: this.attempt });
    }
    const max = this.o.maxBackoffMs ?? 5000;
    const delay = Math.min(max, 200 * 2 ** Math.min(this.attempt - 1, 8)) * (0.75 + Math.random() * 0.5);
    this.timer = setTimeout(() => this.connect(), this.attempt === 1 ? 50 : delay);
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    this.o.onState(s);
  }
}
