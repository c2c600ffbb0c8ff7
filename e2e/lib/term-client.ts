import WebSocket from 'ws';

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

  connect(url: string): Promise<void> {
    this.closed = null;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) { this.seq++; this.chunks.push(data); this.bytes += data.length; this.joined = null; return; }
      const msg = JSON.parse(data.toString());
      if (msg.type === 'session') { this.sessionId = msg.session_id; this.seq = msg.seq; }
      this.controls.push(msg);
    });
    ws.on('close', (code, reason) => { this.closed = { code, reason: reason.toString() }; });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d; });
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
      const waitSession = () => (this.sessionId ? resolve() : setTimeout(waitSession, 5));
      ws.once('open', waitSession);
    });
  }

  type(text: string): void { this.ws.send(Buffer.from(text), { binary: true }); }
  control(msg: unknown): void { this.ws.send(JSON.stringify(msg)); }

  text(): string { return this.output.toString('utf8'); }

  async waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output tail: ${JSON.stringify(this.text().slice(-300))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  waitForText(re: RegExp | string, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => (typeof re === 'string' ? this.text().includes(re) : re.test(this.text())), timeoutMs, String(re));
  }

  close(): void { this.ws.close(); }
}
