import { writeSync } from 'node:fs';
import type { IPty } from 'node-pty';
import type { AgentMessage, CommandRecord, InputChunk, LiveSession } from '@webxterm/contracts';
import type { CommandMarks, ShellCommand } from './command-marks';
import { atEndOfTurn } from './end-of-turn';
import { InputOrder } from './input-order';

/**
 * Interactive output (echoes, prompts: the previous chunk was small) leaves at once, on the next
 * turn of the event loop, however fast the keys come. During a flood (the previous chunk was large
 * and recent) reads are batched for COALESCE_MS, up to CHUNK_MAX bytes per chunk and never more than
 * a quarter of the session's window, so several chunks are always in flight.
 * 256 KiB (was 64): every hop pays per chunk (a gRPC message, a NATS message, a stored batch, a
 * WebSocket frame); a flood of base64 without newlines took 64–102 instead of 96–125 ms of platform
 * CPU per MB (bench, four runs against three; with lines, where the timer ends most chunks near
 * 115–140 KiB, 87–111 against 97–120). NATS carries up to 1 MB per message, a stored batch at most 64 KiB more.
 */
const CHUNK_MAX = 256 * 1024;
const BURST_MS = 10;
/**
 * 8 ms (was 3): a flood of typical text (`ls -lR`, 4 KiB reads) left in 16–20 KiB chunks and now in
 * 45–48 KiB ones, at 102–119 instead of 133–165 ms of platform CPU per MB (bench, paired runs);
 * a frame of a 120 Hz screen is 8 ms.
 */
const COALESCE_MS = 8;
const FLOOD_CHUNK_BYTES = 2048;
/**
 * After the shell exits, late output still arrives for a moment (node-pty #72), later still on a
 * busy machine: the exit is reported once the PTY has been quiet for EXIT_QUIET_MS (EXIT_DRAIN_MAX_MS at most).
 */
const EXIT_QUIET_MS = 60;
const EXIT_DRAIN_MAX_MS = 3000;
/**
 * Input the PTY did not take (its buffer is full: a paste into a program that is not reading) is
 * tried again after 2 ms, doubling up to 200 ms while nothing goes in: a session whose program
 * stopped reading (paused by flow control, say) must not keep the agent busy retrying.
 */
const WRITE_RETRY_MIN_MS = 2;
const WRITE_RETRY_MAX_MS = 200;

export type Send = (m: AgentMessage) => void;

/**
 * One PTY and its output ledger. Every chunk gets the next seq and is kept until a credit covers
 * it; while kept bytes exceed the window the PTY is paused, so the shell blocks on write. After a
 * reconnect `replay()` sends again what was not yet acknowledged.
 */
export class PtySession {
  private nextSeq = 1;
  private ackedSeq = 0;
  /** `readAt`: when it left the PTY; a chunk sent again says how long it was held, so it is recorded at its own time. */
  private kept: { seq: number; data: Buffer; readAt: number }[] = [];
  /** Commands reported but not yet covered by a credit: sent again after a reconnect (the bridge de-duplicates). */
  private keptCommands: { seq: number; record: CommandRecord }[] = [];
  private keptBytes = 0;
  /** Input the PTY has not taken yet, and how many tries in a row it took nothing. */
  private unwritten: Buffer[] = [];
  private writeAttempts = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushAtEndOfTurn = false;
  private lastFlush = 0;
  private lastChunkBytes = 0;
  private lastOutputAt = 0;
  private paused = false;
  private totalBytes = 0;
  private exit: { exit_code: number; signal: number; last_seq: number } | null = null;
  private readonly chunkMax: number;

  constructor(
    readonly id: string,
    private readonly pty: IPty,
    private readonly windowBytes: number,
    private send: Send,
    private readonly onGone: (id: string) => void,
    /** The shell integration's marks, when the shell has it: each finished command is reported. */
    private readonly marks: CommandMarks | null = null,
  ) {
    this.chunkMax = Math.max(1, Math.min(CHUNK_MAX, Math.floor(windowBytes / 4)));
    // Spawned with `encoding: null`: the PTY's bytes arrive as Buffers, never decoded.
    pty.onData((d) => this.onOutput(d as unknown as Buffer));
    pty.onExit(({ exitCode, signal }) => {
      const exitedAt = Date.now();
      const settle = () => {
        const quietFor = Date.now() - this.lastOutputAt;
        if (quietFor >= EXIT_QUIET_MS || Date.now() - exitedAt >= EXIT_DRAIN_MAX_MS) this.onExit(exitCode, signal ?? 0);
        else setTimeout(settle, EXIT_QUIET_MS - quietFor);
      };
      setTimeout(settle, EXIT_QUIET_MS);
    });
  }

  get pid(): number { return this.pty.pid; }
  get isPaused(): boolean { return this.paused; }
  get keptByteCount(): number { return this.keptBytes; }

  live(): LiveSession {
    return { session_id: this.id, next_seq: this.nextSeq, acked_seq: this.ackedSeq };
  }

  private readonly inputOrder = new InputOrder((data) => this.write(data));
  /** A keystroke frame from the bridge: typed once and in order, also when sent again after a reconnect. */
  input(c: InputChunk): void { this.inputOrder.receive(c); }

  /**
   * Input goes to the PTY's master fd at once (node-pty opens it non-blocking): node-pty's own write
   * hands every keystroke to the thread pool, a thread wake-up and two futex calls per key. What the
   * kernel does not take waits here, in order, and is tried again.
   */
  write(data: Buffer): void {
    this.lastAttachedAt = Date.now();
    if (this.exit) return;
    const fd = (this.pty as { fd?: unknown }).fd;
    if (typeof fd !== 'number') return this.pty.write(data);
    this.unwritten.push(data);
    if (this.unwritten.length === 1) this.writeUnwritten(fd);
  }

  private writeUnwritten(fd: number): void {
    while (this.unwritten.length && !this.exit) {
      const data = this.unwritten[0];
      let n = 0;
      try {
        n = writeSync(fd, data);
      } catch (e) {
        // EIO: the shell is gone (its exit is on the way); anything else but a full buffer drops the input.
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') { this.unwritten = []; return; }
      }
      this.writeAttempts = n > 0 ? 0 : this.writeAttempts + 1;
      if (n === data.length) { this.unwritten.shift(); continue; }
      this.unwritten[0] = data.subarray(n);
      setTimeout(() => this.writeUnwritten(fd), Math.min(WRITE_RETRY_MAX_MS, WRITE_RETRY_MIN_MS * 2 ** this.writeAttempts));
      return;
    }
  }
  resize(cols: number, rows: number): void { if (!this.exit) this.pty.resize(cols, rows); }
  close(): void { if (!this.exit) this.pty.kill('SIGHUP'); }

  /** When an owner's socket last spoke for this session (credits double as its keep-alive). */
  lastAttachedAt = Date.now();

  /** Everything up to `seq` was delivered: forget it, and read the PTY again when below half the window. */
  credit(seq: number): void {
    this.lastAttachedAt = Date.now();
    if (seq <= this.ackedSeq) return;
    this.ackedSeq = seq;
    while (this.kept.length && this.kept[0].seq <= seq) this.keptBytes -= this.kept.shift()!.data.length;
    this.keptCommands = this.keptCommands.filter((c) => c.seq > seq);
    if (this.paused && this.keptBytes <= this.windowBytes / 2) { this.paused = false; this.pty.resume(); }
    if (this.exit && seq >= this.exit.last_seq) this.onGone(this.id);
  }

  /** A new stream: send the unacknowledged chunks (and the exit) through it. */
  replay(send: Send): void {
    this.send = send;
    for (const c of this.kept) send({ output: this.again(c) });
    for (const c of this.keptCommands) send({ command: c.record });
    if (this.exit) send({ exited: { session_id: this.id, ...this.exit, bytes: this.totalBytes } });
  }

  /** Chunks after `afterSeq` were lost on the way: send the kept ones again (and the exit). */
  resend(afterSeq: number): void {
    for (const c of this.kept) if (c.seq > afterSeq) this.send({ output: this.again(c) });
    if (this.exit && this.exit.last_seq >= afterSeq) this.send({ exited: { session_id: this.id, ...this.exit, bytes: this.totalBytes } });
  }

  detach(): void { this.send = () => {}; }

  private again(c: { seq: number; data: Buffer; readAt: number }) {
    return { session_id: this.id, seq: c.seq, data: c.data, held_ms: Math.min(0xffffffff, Math.max(0, Date.now() - c.readAt)) };
  }

  private onOutput(data: Buffer): void {
    this.lastOutputAt = Date.now();
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= this.chunkMax) this.flush();
    else if (!this.flushTimer && !this.flushAtEndOfTurn) {
      const flooding = this.lastChunkBytes >= FLOOD_CHUNK_BYTES && Date.now() - this.lastFlush < BURST_MS;
      if (flooding) this.flushTimer = setTimeout(() => this.flush(), COALESCE_MS);
      else {
        this.flushAtEndOfTurn = true;
        atEndOfTurn(() => { if (this.flushAtEndOfTurn) this.flush(); });
      }
    }
  }

  private flush(): void {
    if (this.flushTimer) { clearTimeout(this.flushTimer); this.flushTimer = null; }
    this.flushAtEndOfTurn = false;
    this.lastFlush = Date.now();
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.lastChunkBytes = data.length;
    this.pending = [];
    this.pendingBytes = 0;
    const seq = this.nextSeq++;
    this.kept.push({ seq, data, readAt: this.lastFlush });
    this.keptBytes += data.length;
    this.totalBytes += data.length;
    this.send({ output: { session_id: this.id, seq, data } });
    for (const c of this.marks?.feed(data, seq) ?? []) this.reportCommand(c, seq);
    if (!this.paused && this.keptBytes > this.windowBytes) { this.paused = true; this.pty.pause(); }
  }

  /** A finished command, reported with the chunk that ended it (kept, like the chunk, until credited). */
  private reportCommand(c: ShellCommand, chunkSeq: number): void {
    const record: CommandRecord = {
      session_id: this.id, command: c.command, cwd: c.cwd, exit_code: c.exitCode, seq: c.seq, started_at_ms: c.startedAt, ended_at_ms: c.endedAt,
    };
    this.keptCommands.push({ seq: chunkSeq, record });
    this.send({ command: record });
  }

  private onExit(exitCode: number, signal: number): void {
    this.flush();
    this.inputOrder.stop();
    const last = this.marks?.end(signal ? 128 + signal : exitCode);
    if (last) this.reportCommand(last, this.nextSeq - 1);
    this.exit = { exit_code: exitCode, signal, last_seq: this.nextSeq - 1 };
    this.send({ exited: { session_id: this.id, ...this.exit, bytes: this.totalBytes } });
    // Nobody may ever acknowledge (no browser attached): forget the session after a while anyway.
    setTimeout(() => this.onGone(this.id), 10 * 60_000).unref();
  }
}
