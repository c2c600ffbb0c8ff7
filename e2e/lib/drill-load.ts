import { randomBytes } from 'node:crypto';
import { waitUntil } from '@webxterm/testkit';
import { TermClient } from './term-client';

/**
 * The steady traffic of a person during a failure drill: a terminal printing numbered lines, read
 * the way the console reads it, and API requests at a steady pace, each outcome kept with its time.
 */

export interface LineArrival { n: number; at: number }
export interface SocketEvent { at: number; what: string }

/** The console's reconnect schedule (web/src/terminal/connection.ts), without its jitter. */
function backoffMs(attempt: number): number {
  return attempt === 1 ? 50 : Math.min(5000, 200 * 2 ** Math.min(attempt - 1, 8));
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A terminal running `echo L<n>` every `everyMs`, read by a client that, like the console, reconnects
 * by itself when its socket drops (50 ms, then 400 ms, 800 ms … 5 s between attempts) and resumes
 * with `session_id` and `last_seq`. Every line is kept with the time it arrived.
 */
export class NumberedTerminal {
  readonly arrivals: LineArrival[] = [];
  readonly socket: SocketEvent[] = [];
  private client!: TermClient;
  private parsed = 0;
  private attempt = 0;
  private nextAttemptAt = 0;
  private connecting = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly url: (query: string) => string) {}

  async start(everyMs: number): Promise<void> {
    this.client = await TermClient.open(this.url(''));
    this.client.type(`i=0; while :; do i=$((i+1)); echo L$i; sleep ${everyMs / 1000}; done\r`);
    this.timer = setInterval(() => this.tick(), 20);
  }

  get open(): boolean { return this.client.closed === null && !this.connecting; }
  get sessionId(): string { return this.client.sessionId; }
  /** The session ended (its shell exited): a lost session, not a dropped socket. */
  get exited(): boolean { return this.client.controls.some((c) => c.type === 'exit'); }

  /** Line numbers in the order they arrived. */
  lines(): number[] { return this.arrivals.map((a) => a.n); }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client.type('\x03');
    this.client.close();
  }

  private tick(): void {
    this.collect();
    if (this.client.closed && !this.connecting && !this.exited) this.reconnectWhenDue();
  }

  private collect(): void {
    const text = this.client.text();
    const re = /(?:^|[\n\x07])L(\d+)\r\n/g;
    re.lastIndex = this.parsed;
    let m: RegExpExecArray | null;
    const now = Date.now();
    while ((m = re.exec(text))) {
      this.arrivals.push({ n: Number(m[1]), at: now });
      // The match may have begun with the newline ending the line before: leave it to be found again.
      this.parsed = re.lastIndex - 1;
      re.lastIndex = this.parsed;
    }
  }

  private reconnectWhenDue(): void {
    const now = Date.now();
    if (this.nextAttemptAt === 0) {
      this.socket.push({ at: now, what: `closed ${this.client.closed!.code}` });
      this.attempt = 1;
      this.nextAttemptAt = now + backoffMs(1);
      return;
    }
    if (now < this.nextAttemptAt) return;
    this.connecting = true;
    const controlsBefore = this.client.controls.length;
    const resumed = this.client.connect(this.url(`&session_id=${this.client.sessionId}&last_seq=${this.client.seq}`));
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('connect timed out')), CONNECT_TIMEOUT_MS));
    Promise.race([resumed, timeout]).then(
      () => void this.waitGreeting(controlsBefore),
      (e: Error & { status?: number }) => this.failed(e.status ? `HTTP ${e.status}` : e.message),
    );
  }

  /** Open is not enough: the session is back once its `session` message arrives. */
  private async waitGreeting(controlsBefore: number): Promise<void> {
    const greeted = () => this.client.controls.slice(controlsBefore).some((c) => c.type === 'session');
    await waitUntil(() => greeted() || this.client.closed !== null, CONNECT_TIMEOUT_MS, 'the session message').catch(() => undefined);
    if (greeted()) {
      this.socket.push({ at: Date.now(), what: `resumed after ${this.attempt} attempt(s)` });
      this.attempt = 0;
      this.nextAttemptAt = 0;
      this.connecting = false;
    } else {
      this.client.ws.terminate();
      this.failed(this.client.closed ? `closed ${this.client.closed.code} before the session message` : 'no session message');
    }
  }

  private failed(why: string): void {
    this.socket.push({ at: Date.now(), what: `attempt ${this.attempt}: ${why}` });
    this.attempt += 1;
    this.nextAttemptAt = Date.now() + backoffMs(this.attempt);
    this.client.closed ??= { code: 1006, reason: why };
    this.connecting = false;
  }
}

/** One request's outcome: an HTTP status, or what the network said instead. */
export interface ProbeResult { probe: string; rid: string; sent: number; done: number; status: number | string; ok: boolean }
export interface ProbeRequest { method: string; path: string; body?: unknown }

/**
 * A person's request that got no answer in this long counts as hung: longer than the longest a
 * command may take by default (machine-svc COMMAND_TIMEOUT_MS, 30 s), after which it answers 504.
 */
export const HANG_MS = 40_000;
const MAX_IN_FLIGHT = 200;

/**
 * Requests of one kind at a steady pace through `baseUrl()`. Each carries its own `x-request-id`,
 * which the gateway puts in the request's audit event.
 */
export class ApiProbe {
  readonly results: ProbeResult[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly tag = randomBytes(3).toString('hex');

  constructor(
    readonly name: string,
    private readonly baseUrl: () => string,
    private readonly token: string,
    private readonly request: (n: number) => ProbeRequest,
    private readonly isOk: (status: number, body: any, n: number) => boolean,
    /** Whether the gateway audits it (a mutating request). */
    readonly audited: boolean,
  ) {}

  /**
   * One request every `paceMs`, whether the earlier ones were answered or not (people do not wait
   * for each other), at most MAX_IN_FLIGHT at once.
   */
  start(paceMs: number): void {
    let n = 0;
    this.timer = setInterval(() => {
      if (this.inFlight.size >= MAX_IN_FLIGHT) return;
      const p = this.once(++n);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }, paceMs);
  }

  /** Stops sending; resolves once every request sent has its outcome. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.settled();
  }

  /** Resolves once every request sent so far has its outcome (at most HANG_MS). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Request ids whose audit event must be stored: audited requests sent from `since` on that the gateway answered. */
  answeredAudited(since = 0): string[] {
    return this.audited ? this.results.filter((r) => r.sent >= since && typeof r.status === 'number').map((r) => r.rid) : [];
  }

  private async once(n: number): Promise<void> {
    const { method, path, body } = this.request(n);
    const rid = `drill-${this.name}-${this.tag}-${n}`;
    const sent = Date.now();
    let status: number | string;
    let ok = false;
    try {
      const res = await fetch(this.baseUrl() + path, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}`, 'user-agent': 'drills/1', 'x-request-id': rid },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(HANG_MS),
      });
      const text = await res.text();
      let json: unknown = text;
      try { json = JSON.parse(text); } catch { /* text */ }
      status = res.status;
      ok = this.isOk(res.status, json, n);
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      status = err.name === 'TimeoutError' ? 'hung' : err.cause?.code ?? err.message;
    }
    this.results.push({ probe: this.name, rid, sent, done: Date.now(), status, ok });
  }
}
