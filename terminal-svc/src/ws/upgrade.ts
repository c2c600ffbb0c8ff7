import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { SessionRecord } from '@webxterm/contracts';
import { AccessTokenVerifier, type AuditSink, describeError, forwardedClientIp, NatsConnection, type Logger } from '@webxterm/kit';
import type { TerminalSize } from '../domain/asciicast';
import type { SessionService } from '../domain/session.service';
import type { AccessWatch } from './access-watch';
import type { AgentReconnects } from './input-ledger';
import type { StallWatch } from './stall-watch';
import type { RelayMeter } from './relay-meter';
import { LiveOutput } from './output-reader';
import { checkResumePoint } from './resume-point';
import { relaySession, sendJson } from './terminal-socket';

export interface UpgradeDeps {
  verifier: AccessTokenVerifier;
  sessions: SessionService;
  nc: NatsConnection;
  log: Logger;
  /** Open terminals are closed when their user's access to the machine goes. */
  access: AccessWatch;
  maxFrameBytes: number;
  highWaterBytes: number;
  meter: RelayMeter;
  reconnects: AgentReconnects;
  stalls: StallWatch;
  /** Whether a bridge holds the agent's stream right now. */
  agentConnected(agentId: string): Promise<boolean>;
  /** Who opened, resumed or watched which terminal, from where. */
  audit: AuditSink;
  /** Proxies in front that append to X-Forwarded-For (the gateway): as the HTTP app's `trust proxy`. */
  trustProxyHops: number;
  onExit(sessionId: string, code: number, bytes: number): void;
  onResize(session: SessionRecord, size: TerminalSize): void;
}

const PATH = /^\/api\/terminal\/([A-Za-z0-9_-]{1,64})\/ws\/?$/;
const int = (v: string | null, dflt: number, min: number, max: number) => {
  const n = v === null ? dflt : Number(v);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
};

function refuse(socket: Socket, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * `WS /api/terminal/:agent_id/ws?token=JWT[&cols=&rows=][&session_id=ID&last_seq=N][&mode=view]`:
 * checks the token and machine access before the handshake (so refusals are plain HTTP errors),
 * then opens a new session or attaches to an existing one.
 */
export function handleTerminalUpgrades(server: Server, d: UpgradeDeps): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: d.maxFrameBytes });
  wss.on('connection', (ws) => ws.on('error', () => undefined));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    void onUpgrade(req, socket, head).catch((e) => {
      const { status, message } = describeError(e);
      if (status >= 500) d.log.warn({ err: (e as Error).message }, 'terminal upgrade failed');
      refuse(socket, status, message);
    });
  });

  async function onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://terminal.invalid');
    const m = PATH.exec(url.pathname);
    if (!m) return refuse(socket, 404, 'Not found');
    const agentId = m[1];
    const token = url.searchParams.get('token');
    const claims = token ? await d.verifier.verify(token) : await d.verifier.verifyRequest(req);
    const view = url.searchParams.get('mode') === 'view';
    const sessionId = url.searchParams.get('session_id');
    const lastSeq = int(url.searchParams.get('last_seq'), 0, 0, Number.MAX_SAFE_INTEGER);
    const cols = int(url.searchParams.get('cols'), 80, 1, 1000);
    const rows = int(url.searchParams.get('rows'), 24, 1, 1000);
    if (lastSeq === null || cols === null || rows === null) return refuse(socket, 400, 'cols, rows and last_seq must be integers in range');
    if (view && !sessionId) return refuse(socket, 400, 'mode=view needs session_id');
    if (lastSeq > 0 && !sessionId) return refuse(socket, 400, 'last_seq needs session_id (it resumes an existing session)');
    // A new session's output is tapped before the agent opens it: the prompt may come before the socket is ready.
    const tap: { live?: LiveOutput } = {};
    let session: SessionRecord;
    try {
      session = sessionId
        ? await d.sessions.attach(claims, agentId, sessionId, view)
        : await d.sessions.open(claims, agentId, cols, rows, (id) => { tap.live = new LiveOutput(d.nc, id); });
      if (sessionId) await checkResumePoint(d.nc, session.id, lastSeq);
    } catch (e) {
      tap.live?.close();
      throw e;
    }
    if (socket.destroyed) { tap.live?.close(); return; }
    const ua = req.headers['user-agent'];
    // A socket to an ended session only reads what is left of it (a tab reopened after End): not audited.
    if (session.status === 'active') d.audit.record({
      action: !sessionId ? 'terminal.open' : view ? 'terminal.watch' : 'terminal.resume', result: 'success', tenant_id: claims.tenant_id,
      actor: { user_id: claims.user_id, username: claims.username, email: claims.email, role: claims.role },
      client_ip: forwardedClientIp(req, d.trustProxyHops), user_agent: ua ? ua.slice(0, 512) : null, resource: session.id,
      details: { agent_id: agentId, linux_user: session.linux_user ?? null, ...(sessionId ? { last_seq: lastSeq } : { cols, rows }) },
    });
    socket.once('close', () => tap.live?.close()); // a handshake that never completes leaves no subscription behind
    wss.handleUpgrade(req, socket, head, (ws) => {
      wss.emit('connection', ws, req);
      d.access.track(ws, claims, agentId, view);
      d.meter.socketOpened(view);
      ws.once('close', () => d.meter.socketClosed(view));
      sendJson(ws, { type: 'session', session_id: session.id, seq: lastSeq, read_only: view, cols: session.cols, rows: session.rows });
      relaySession(ws, d.nc, {
        sessionId: session.id, agentId, reconnects: d.reconnects, stalls: d.stalls, agentConnected: () => d.agentConnected(agentId), afterSeq: lastSeq, readOnly: view, highWaterBytes: d.highWaterBytes, meter: d.meter, live: tap.live,
        onExit: (code, bytes) => d.onExit(session.id, code, bytes),
        onResize: (size) => d.onResize(session, size),
      }, d.log);
    });
  }
  return wss;
}
