import type { WebSocket, RawData } from 'ws';
import { TermControl, termControlSubject, termInputSubject } from '@webxterm/contracts';
import type { Logger, NatsConnection } from '@webxterm/kit';
import type { TerminalSize } from '../domain/asciicast';
import { type AgentReconnects, InputLedger } from './input-ledger';
import type { StallWatch } from './stall-watch';
import { type LiveOutput, readOutput } from './output-reader';
import type { RelayMeter } from './relay-meter';

export interface RelayOptions {
  sessionId: string;
  agentId: string;
  /** The owner's recent keystrokes are sent again when the agent reconnects. */
  reconnects: AgentReconnects;
  /** Keys with no output for a second ask `agentConnected`; the browser is told while the agent is away. */
  stalls: StallWatch;
  agentConnected(): Promise<boolean>;
  /** The last seq the browser already has (0 for a new session). */
  afterSeq: number;
  /** Viewers read; only the owner types, resizes and acknowledges (and so paces the PTY). */
  readOnly: boolean;
  highWaterBytes: number;
  meter: RelayMeter;
  /** The session's live output, tapped before it opened (a new session). */
  live?: LiveOutput;
  onExit(code: number, bytes: number): void;
  /** The owner resized the terminal (the last size of a burst, RESIZE_SETTLE_MS after it): for the recording. */
  onResize(size: TerminalSize): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** While the agent is away, how often the relay asks again (the agent's return usually tells it first). */
const AWAY_RECHECK_MS = 5000;
/**
 * The owner credits the agent per CREDIT_EVERY_BYTES delivered, or CREDIT_AFTER_MS after the first
 * chunk not yet credited: a keystroke's echo costs no credit message of its own, a flood is
 * credited chunk by chunk (64 KiB each), and the window (1 MiB) never waits on the timer. Typing is
 * credited once a second, as often as the bridge stores it (a credit counts only for stored output).
 */
const CREDIT_EVERY_BYTES = 32 * 1024;
const CREDIT_AFTER_MS = 1000;
const CONTROL_TYPES = new Set(['resize', 'ping']);
/** A window being dragged resizes many times a second: only the size it settles at is recorded. */
const RESIZE_SETTLE_MS = 250;

export function sendJson(ws: WebSocket, value: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(value));
}

/**
 * Relays one browser socket and one session. Output: binary frames in seq order; the owner's
 * socket credits the agent for what it delivered, but only while the socket's own buffer is below
 * the high water mark, so a browser that reads slowly stops the credits and the agent pauses the PTY.
 * Input: binary frames are keystrokes; text frames are JSON control messages.
 */
export function relaySession(ws: WebSocket, nc: NatsConnection, o: RelayOptions, log: Logger): void {
  const abort = new AbortController();
  const credit = (seq: number) => nc.publish(termControlSubject(o.sessionId), JSON.stringify({ type: 'credit', seq } satisfies TermControl));

  const inputSubject = termInputSubject(o.sessionId);
  const ledger = o.readOnly ? null : new InputLedger();
  // The owner is told when its keys reach no agent (`{"type":"agent","connected":false}`) and when it is back.
  let agentAway = false;
  let awayRecheck: NodeJS.Timeout | null = null;
  const tellAgent = (connected: boolean) => {
    agentAway = !connected;
    if (awayRecheck) { clearTimeout(awayRecheck); awayRecheck = null; }
    sendJson(ws, { type: 'agent', connected });
  };
  const onStall = () => void o.agentConnected().then((connected) => {
    if (ws.readyState !== ws.OPEN) return;
    if (connected) { if (agentAway) tellAgent(true); return; }
    if (!agentAway) tellAgent(false);
    awayRecheck = setTimeout(onStall, AWAY_RECHECK_MS);
  });
  const unwatchAgent = ledger ? o.reconnects.watch(o.agentId, () => {
    for (const f of ledger.recent()) nc.publish(inputSubject, f);
    if (agentAway) tellAgent(true);
  }) : null;
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) {
      if (!ledger) return sendJson(ws, { type: 'error', error: 'read-only: this socket is a viewer' });
      if (!agentAway) o.stalls.typed(onStall);
      nc.publish(inputSubject, ledger.frame(buf));
      o.meter.inputBytes += buf.length;
      return;
    }
    onControl(buf.toString('utf8'));
  });
  // Credits double as the owner's keep-alive: the agent closes sessions nobody attends for long.
  let delivered = o.afterSeq;
  let credited = o.afterSeq;
  let uncreditedBytes = 0;
  let creditTimer: NodeJS.Timeout | null = null;
  const creditDelivered = () => {
    if (creditTimer) { clearTimeout(creditTimer); creditTimer = null; }
    uncreditedBytes = 0;
    if (delivered > credited) credit(credited = delivered);
  };
  const keepAlive = o.readOnly ? null : setInterval(() => credit(delivered), 30_000);
  let lastSize: TerminalSize | null = null;
  let resizeTimer: NodeJS.Timeout | null = null;
  const recordSize = () => {
    if (resizeTimer) { clearTimeout(resizeTimer); resizeTimer = null; }
    if (lastSize) o.onResize(lastSize);
    lastSize = null;
  };
  ws.on('close', () => {
    abort.abort();
    unwatchAgent?.();
    o.stalls.answered(onStall);
    if (awayRecheck) clearTimeout(awayRecheck);
    if (keepAlive) clearInterval(keepAlive);
    if (creditTimer) clearTimeout(creditTimer);
    recordSize();
  });
  ws.on('error', () => abort.abort());

  function onControl(text: string): void {
    let msg: { type?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return sendJson(ws, { type: 'error', error: 'control messages must be JSON' });
    }
    if (typeof msg?.type !== 'string' || !CONTROL_TYPES.has(msg.type)) return sendJson(ws, { type: 'error', error: 'unknown control message' });
    if (msg.type === 'ping') { o.meter.pinged((msg as { rtt_ms?: unknown }).rtt_ms); return sendJson(ws, { type: 'pong' }); }
    if (o.readOnly) return sendJson(ws, { type: 'error', error: 'read-only: this socket is a viewer' });
    const parsed = TermControl.safeParse(msg);
    if (!parsed.success || parsed.data.type !== 'resize') return sendJson(ws, { type: 'error', error: 'resize needs integer cols and rows (1-1000)' });
    nc.publish(termControlSubject(o.sessionId), JSON.stringify(parsed.data));
    lastSize = { at: Date.now(), cols: parsed.data.cols, rows: parsed.data.rows };
    resizeTimer ??= setTimeout(recordSize, RESIZE_SETTLE_MS);
  }

  void (async () => {
    try {
      // The agent may be holding output for a browser that went away: re-open the window now.
      if (!o.readOnly && o.afterSeq > 0) credit(o.afterSeq);
      const resend = (after: number) => nc.publish(termControlSubject(o.sessionId), JSON.stringify({ type: 'resend', seq: after } satisfies TermControl));
      for await (const ev of readOutput(nc, o.sessionId, o.afterSeq, abort.signal, { resend: o.readOnly ? undefined : resend, live: o.live })) {
        if (ws.readyState !== ws.OPEN) break;
        if (ev.kind === 'exit') {
          sendJson(ws, { type: 'exit', code: ev.exit.exit_code, seq: ev.seq });
          if (!o.readOnly) credit(ev.seq);
          recordSize(); // a size still settling is recorded before the session is marked ended
          o.onExit(ev.exit.exit_code, ev.exit.bytes);
          ws.close(1000, 'session ended');
          return;
        }
        // The seq travels as a text frame only on request (resume bookkeeping): every binary frame
        // is the next seq, so the browser counts frames.
        ws.send(ev.data, { binary: true });
        o.meter.outputBytes += ev.data.length;
        while (ws.bufferedAmount > o.highWaterBytes && ws.readyState === ws.OPEN) await sleep(5);
        if (o.readOnly) continue;
        o.stalls.answered(onStall);
        if (agentAway) tellAgent(true);
        delivered = ev.seq;
        uncreditedBytes += ev.data.length;
        if (uncreditedBytes >= CREDIT_EVERY_BYTES) creditDelivered();
        else creditTimer ??= setTimeout(creditDelivered, CREDIT_AFTER_MS);
      }
    } catch (e) {
      if (!abort.signal.aborted) {
        log.warn({ err: (e as Error).message, session_id: o.sessionId }, 'output relay failed');
        sendJson(ws, { type: 'error', error: 'output relay failed; reconnect to resume' });
        ws.close(1011, 'relay failed');
      }
    }
  })();
}
