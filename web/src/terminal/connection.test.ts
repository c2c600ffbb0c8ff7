// @vitest-environment node
/**
 * TerminalConnection against a real WebSocket server speaking docs/terminal-protocol.md: it counts
 * seqs, resumes after a dropped socket with session_id + last_seq, reports the exit code and 4403.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { HELD_INPUT, MAX_INPUT_FRAME_BYTES, TerminalConnection, type ConnectionState } from './connection';

interface Server { wss: WebSocketServer; origin: string; urls: URL[]; sockets: WebSocket[] }
const servers: WebSocketServer[] = [];

/** A server that sends the session message then `frames` binary frames, numbered after `last_seq`. */
async function startServer(onConnect: (ws: WebSocket, url: URL, s: Server) => void): Promise<Server> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(wss);
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as { port: number }).port;
  const s: Server = { wss, origin: `ws://127.0.0.1:${port}`, urls: [], sockets: [] };
  wss.on('connection', (ws, req) => {
    const url = new URL(req.url!, 'http://x');
    s.urls.push(url);
    s.sockets.push(ws);
    onConnect(ws, url, s);
  });
  return s;
}

/** vitest's own wait (the console's tests run in vitest, apart from the testkit's Node services). */
const waitFor = (cond: () => boolean) => vi.waitUntil(cond, { timeout: 3000, interval: 10 });

function open(s: Server, states: ConnectionState[], out: string[], extra: Partial<ConstructorParameters<typeof TerminalConnection>[0]> = {}) {
  const c = new TerminalConnection({
    origin: s.origin, agentId: 'ag_1', token: () => 'tok', size: () => ({ cols: 100, rows: 30 }),
    onOutput: (b) => out.push(new TextDecoder().decode(b)), onState: (st) => states.push(st),
    WebSocketImpl: WebSocket as never, ...extra,
  });
  c.connect();
  return c;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((w) => new Promise((r) => w.close(r))));
});

describe('TerminalConnection', () => {
  it('opens with size and token, counts seqs, and resumes after a drop from the last seq: nothing lost, nothing repeated', async () => {
    const sent: string[] = [];
    const s = await startServer((ws, url, srv) => {
      const from = Number(url.searchParams.get('last_seq') ?? 0);
      ws.send(JSON.stringify({ type: 'session', session_id: 'S1', seq: from, read_only: false, cols: 100, rows: 30 }));
      // The first socket sends lines 1–3 then drops (1011); the resumed one continues to line 6 and exits 3.
      const first = srv.urls.length === 1;
      const last = first ? 3 : 6;
      for (let i = from + 1; i <= last; i++) ws.send(Buffer.from(`line ${i}\n`));
      if (first) setTimeout(() => ws.close(1011, 'relay failed'), 20);
      else ws.send(JSON.stringify({ type: 'exit', code: 3, seq: 7 }));
      ws.on('message', (m, binary) => sent.push(binary ? `bin:${m.toString()}` : m.toString()));
    });
    const states: ConnectionState[] = [];
    const out: string[] = [];
    const c = open(s, states, out);
    await waitFor(() => states.some((x) => x.kind === 'exited'));
    expect(out.join('')).toBe('line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n');
    expect(s.urls[0].searchParams.get('cols')).toBe('100');
    expect(s.urls[0].searchParams.get('token')).toBe('tok');
    expect(s.urls[0].searchParams.has('session_id')).toBe(false);
    expect(s.urls[1].searchParams.get('session_id')).toBe('S1');
    expect(s.urls[1].searchParams.get('last_seq')).toBe('3');
    expect(states.map((x) => x.kind)).toEqual(['open', 'reconnecting', 'open', 'exited']);
    expect(states[states.length - 1]).toEqual({ kind: 'exited', code: 3 });
    expect(c.lastSeq).toBe(6);
    c.close();
    expect(sent).toEqual([]); // the size asked for was the session's: no resize message
  });

  it('sends keystrokes as binary and a resize as JSON; a viewer sends neither', async () => {
    const got: string[] = [];
    const s = await startServer((ws, url) => {
      const view = url.searchParams.get('mode') === 'view';
      ws.send(JSON.stringify({ type: 'session', session_id: 'S2', seq: 0, read_only: view, cols: 100, rows: 30 }));
      ws.on('message', (m, binary) => got.push(`${view ? 'viewer' : 'owner'} ${binary ? 'bin' : 'text'} ${m.toString()}`));
    });
    const owner = open(s, [], []);
    await waitFor(() => owner.state.kind === 'open');
    owner.send('ls\r');
    owner.resize(120, 40);
    const viewer = open(s, [], [], { sessionId: 'S2', mode: 'view' });
    await waitFor(() => viewer.state.kind === 'open');
    viewer.send('rm -rf /\r');
    viewer.resize(10, 10);
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['owner bin ls\r', 'owner text {"type":"resize","cols":120,"rows":40}']);
    expect(s.urls[1].searchParams.get('mode')).toBe('view');
    owner.close();
    viewer.close();
  });

  it('a paste longer than a frame goes as frames of at most 64 KiB, whose bytes join to the paste', async () => {
    const frames: Buffer[] = [];
    const s = await startServer((ws) => {
      ws.send(JSON.stringify({ type: 'session', session_id: 'S4', seq: 0, read_only: false, cols: 100, rows: 30 }));
      ws.on('message', (m) => frames.push(m as Buffer));
    });
    const c = open(s, [], []);
    await waitFor(() => c.state.kind === 'open');
    const paste = 'ab€😀\n'.repeat(20_000);
    c.send(paste);
    const total = new TextEncoder().encode(paste).length;
    await waitFor(() => frames.reduce((n, f) => n + f.length, 0) === total);
    expect(frames.length).toBe(Math.ceil(total / MAX_INPUT_FRAME_BYTES));
    expect(Math.max(...frames.map((f) => f.length))).toBe(MAX_INPUT_FRAME_BYTES);
    expect(Buffer.concat(frames).toString('utf8')).toBe(paste);
    c.close();
  });

  it('keys typed while it reconnects are sent once the session is resumed, in order; those older than 30 s are dropped', async () => {
    const got: string[][] = [];
    const s = await startServer((ws) => {
      const mine: string[] = [];
      got.push(mine);
      ws.send(JSON.stringify({ type: 'session', session_id: 'S5', seq: 0, read_only: false, cols: 100, rows: 30 }));
      ws.on('message', (m, binary) => { if (binary) mine.push(m.toString()); });
    });
    const c = open(s, [], [], { maxBackoffMs: 300 });
    c.send('typed-before-open ');
    await waitFor(() => got[0]?.length === 1);
    s.sockets[0].close(1011, 'relay failed');
    await waitFor(() => c.state.kind === 'reconnecting');
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValueOnce(now - HELD_INPUT.ms - 1);
    c.send('stale ');
    c.send('echo ');
    c.send('while-away\r');
    await waitFor(() => got[1]?.length === 2);
    expect(got).toEqual([['typed-before-open '], ['echo ', 'while-away\r']]);
    c.close();
  });

  it('"agent" messages: the session stays open and says whether the keys reach an agent', async () => {
    const s = await startServer((ws) => {
      ws.send(JSON.stringify({ type: 'session', session_id: 'S7', seq: 0, read_only: false, cols: 100, rows: 30 }));
      ws.send(JSON.stringify({ type: 'agent', connected: false }));
      ws.send(JSON.stringify({ type: 'agent', connected: true }));
    });
    const states: ConnectionState[] = [];
    const c = open(s, states, []);
    await waitFor(() => states.length === 3);
    expect(states).toEqual([
      { kind: 'open', sessionId: 'S7', readOnly: false },
      { kind: 'open', sessionId: 'S7', readOnly: false, agentAway: true },
      { kind: 'open', sessionId: 'S7', readOnly: false, agentAway: false },
    ]);
    c.close();
  });

  it('keys held while reconnecting stop at 64 KiB, and a closed terminal sends nothing it held', async () => {
    const got: string[] = [];
    const s = await startServer((ws) => {
      ws.send(JSON.stringify({ type: 'session', session_id: 'S6', seq: 0, read_only: false, cols: 100, rows: 30 }));
      ws.on('message', (m, binary) => { if (binary) got.push(m.toString()); });
    });
    const c = open(s, [], [], { maxBackoffMs: 300 });
    await waitFor(() => c.state.kind === 'open');
    s.sockets[0].close(1011, 'relay failed');
    await waitFor(() => c.state.kind === 'reconnecting');
    c.send('x'.repeat(HELD_INPUT.bytes - 1));
    c.send('yy');
    c.send('z');
    await waitFor(() => got.join('').length === HELD_INPUT.bytes);
    expect(got.join('')).toBe(`${'x'.repeat(HELD_INPUT.bytes - 1)}z`);
    s.sockets[1].close(1011, 'relay failed');
    await waitFor(() => c.state.kind === 'reconnecting');
    c.send('never');
    c.close();
    await new Promise((r) => s.wss.close(r));
    expect(got.join('')).not.toContain('never');
  });

  it('4403 (access revoked) stops for good; a refusal before the handshake asks the API why', async () => {
    const s = await startServer((ws) => {
      ws.send(JSON.stringify({ type: 'session', session_id: 'S3', seq: 0, read_only: false, cols: 100, rows: 30 }));
      setTimeout(() => ws.close(4403, 'access revoked'), 10);
    });
    const states: ConnectionState[] = [];
    open(s, states, []);
    await waitFor(() => states.some((x) => x.kind === 'refused'));
    expect(states[states.length - 1]).toEqual({ kind: 'refused', reason: 'access revoked' });
    expect(s.urls).toHaveLength(1);

    const refusing = await startServer((ws) => ws.terminate());
    const asked: (string | undefined)[] = [];
    const st2: ConnectionState[] = [];
    open(refusing, st2, [], { diagnose: async (sid) => { asked.push(sid); return { kind: 'refused', reason: 'no such machine' }; } });
    await waitFor(() => st2.some((x) => x.kind === 'refused'));
    expect(asked).toEqual([undefined]);
    expect(st2).toEqual([{ kind: 'refused', reason: 'no such machine' }]);
  });
});
