import WebSocket from 'ws';
import { waitUntil } from '@webxterm/testkit';

/**
 * A browser-like terminal client: counts binary frames (each is the next seq), keeps the output,
 * collects control messages, and can resume from its last seq on another URL.
 */
export class TermClient {
  ws!: WebSocket;
  private chunks: Buffer[] = [];
  private joined: Buffer | null = Buffer.alloc(0);
  /** Everything received so far (joined lazily: a flood of frames stays linear). */
  get output(): Buffer {
    if (!this.joined) this.joined = Buffer.concat(this.chunks);
    return this.joined;
  }
  bytes = 0;
  seq = 0;
  sessionId = '';
  controls: any[] = [];
  closed: { code: number; reason: string } | null = null;

  static async open(url: string): Promise<TermClient> {
    const c = new TermClient();
    await c.connect(url);
    return c;
  }

  /**
   * Resolves once the session is known: at its `session` message, or on open when resuming one
   * (`sessionId` already set). Rejects on a refused upgrade, or a close before either.
   */
  connect(url: string): Promise<void> {
    this.closed = null;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws = ws;
    return new Promise((resolve, reject) => {
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) { this.seq++; this.chunks.push(data); this.bytes += data.length; this.joined = null; return; }
        const msg = JSON.parse(data.toString());
        if (msg.type === 'session') { this.sessionId = msg.session_id; this.seq = msg.seq; resolve(); }
        this.controls.push(msg);
      });
      ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        reject(Object.assign(new Error(`closed (${code} ${reason}) before the session began`), { code }));
      });
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d; });
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
      ws.once('open', () => { if (this.sessionId) resolve(); });
    });
  }

  type(text: string): void { this.ws.send(Buffer.from(text), { binary: true }); }
  control(msg: unknown): void { this.ws.send(JSON.stringify(msg)); }

  text(): string { return this.output.toString('utf8'); }

  /** Waits until `pred` holds; the failure shows the socket's state and the tail of the output. */
  async waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    await waitUntil(pred, timeoutMs, () => {
      const socket = this.closed ? `closed ${this.closed.code} ${JSON.stringify(this.closed.reason)}` : 'open';
      return `${what}; socket ${socket} after ${this.bytes} bytes, seq ${this.seq}; output tail: ${JSON.stringify(this.text().slice(-300))}`;
    });
  }

  waitForText(re: RegExp | string, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => (typeof re === 'string' ? this.text().includes(re) : re.test(this.text())), timeoutMs, String(re));
  }

  close(): void { this.ws.close(); }
}
