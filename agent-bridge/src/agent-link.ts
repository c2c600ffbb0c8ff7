import { randomUUID } from 'node:crypto';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  MACHINE_OFFLINE,
  AgentMessage, BridgeMessage, CommandRecord, type OutputChunk, ExecResult, HeartbeatWatch, packOutputRecords, SessionExited, TermControl, termControlSubject, termInputSubject, unpackInputFrame,
  termOutputSubject,
} from '@webxterm/contracts';
import { AppError, jetstream, type JetStreamClient, type Logger } from '@webxterm/kit';
import type { AgentWriter } from './agent-writer';
import { OutputRecorder } from './output-recorder';

interface Waiter<T> { resolve(v: T): void; reject(e: Error): void; timer: NodeJS.Timeout }

/** How long a session's subjects stay subscribed after its exit, for the last credit to reach the agent. */
const LINGER_AFTER_EXIT_MS = 30_000;

/**
 * One connected agent, as seen by the bridge replica holding its stream: relays its sessions
 * between the stream and their NATS subjects, and matches requests to the agent's answers.
 */
export class AgentLink {
  readonly connectionId = randomUUID();
  private readonly sessionSubs = new Map<string, Subscription[]>();
  private readonly recorders = new Map<string, OutputRecorder>();
  private readonly opens = new Map<string, Waiter<number>>();
  private readonly execs = new Map<string, Waiter<ExecResult>>();
  /** Set once the stream is registered: every message from the agent counts as a heartbeat. */
  watch: HeartbeatWatch | null = null;
  private readonly js: JetStreamClient;

  constructor(
    readonly agentId: string,
    readonly tenantId: string,
    private readonly writer: AgentWriter,
    private readonly nc: NatsConnection,
    private readonly log: Logger,
    private readonly limits: { maxCommands: number },
  ) {
    this.js = jetstream(nc);
  }

  send(m: BridgeMessage): void { this.writer.send(m); }

  /**
   * Output and exits from the agent go live to the session's output subject, in order, with their
   * seq, and to its recorder; only for sessions this link opened or verified as this machine's own
   * (anything else is dropped).
   */
  onAgentMessage(m: AgentMessage, onExit: (e: SessionExited) => void, onCommand: (c: CommandRecord) => void = () => undefined): void {
    this.watch?.heard();
    switch (m.kind) {
      case 'output': return this.relayOutput(m.output!);
      case 'outputs': for (const o of m.outputs!.chunks) this.relayOutput(o); return;
      case 'exited': {
        const e = m.exited!;
        if (!this.sessionSubs.has(e.session_id)) return;
        const body = JSON.stringify({ exit_code: e.exit_code, signal: e.signal, bytes: e.bytes, seq: e.last_seq + 1 });
        this.publishOutput(e.session_id, e.last_seq + 1, 'exit', Buffer.from(body));
        onExit(e);
        setTimeout(() => this.unwatchSession(e.session_id), LINGER_AFTER_EXIT_MS).unref();
        return;
      }
      case 'opened': {
        const o = m.opened!;
        const w = this.opens.get(o.session_id);
        if (!w) {
          // Opened after terminal-svc gave up waiting (a 504 to the browser): nobody can ever attach to it.
          if (!o.error && !this.sessionSubs.has(o.session_id)) this.send({ close: { session_id: o.session_id } });
          return;
        }
        this.opens.delete(o.session_id);
        clearTimeout(w.timer);
        if (o.error) { this.unwatchSession(o.session_id); w.reject(new AppError('unavailable', 'terminal.open_failed', o.error)); }
        else w.resolve(o.pid);
        return;
      }
      case 'exec_result': {
        const r = m.exec_result!;
        const w = this.execs.get(r.request_id);
        if (!w) return;
        this.execs.delete(r.request_id);
        clearTimeout(w.timer);
        if (r.error) w.reject(new AppError('unavailable', 'machine.exec_failed', r.error));
        else w.resolve(r);
        return;
      }
      case 'command':
        if (this.sessionSubs.has(m.command!.session_id)) onCommand(m.command!);
        return;
      case 'error':
        this.log.warn({ agent_id: this.agentId, code: m.error!.code, err: m.error!.message }, 'agent reported an error');
        return;
    }
  }

  async openSession(sessionId: string, cols: number, rows: number, windowBytes: number, timeoutMs: number): Promise<number> {
    this.watchSession(sessionId);
    const pid = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.opens.delete(sessionId);
        this.unwatchSession(sessionId);
        reject(new AppError('timeout', 'terminal.open_timeout', 'the agent did not open the session in time'));
      }, timeoutMs);
      this.opens.set(sessionId, { resolve, reject, timer });
    });
    this.send({ open: { session_id: sessionId, cols, rows, window_bytes: windowBytes } });
    return pid;
  }

  exec(command: string, timeoutMs: number, maxOutput: number): Promise<ExecResult> {
    if (this.execs.size >= this.limits.maxCommands) {
      return Promise.reject(new AppError('rate_limited', 'machine.commands_busy',
        `This machine is already running ${this.limits.maxCommands} commands; try again when one has finished`));
    }
    const requestId = randomUUID();
    return new Promise<ExecResult>((resolve, reject) => {
      // The agent kills the command at its timeout; give the answer a little longer to arrive.
      const timer = setTimeout(() => {
        this.execs.delete(requestId);
        reject(new AppError('timeout', 'machine.command_timeout', 'the command did not finish in time'));
      }, timeoutMs + 3000);
      this.execs.set(requestId, { resolve, reject, timer });
      this.send({ exec: { request_id: requestId, command, timeout_ms: timeoutMs, max_output_bytes: maxOutput } });
    });
  }

  /** Subscribes to a session's keystrokes and control messages (new, or re-announced after a reconnect). */
  watchSession(sessionId: string): void {
    if (this.sessionSubs.has(sessionId)) return;
    const input = this.nc.subscribe(termInputSubject(sessionId), {
      callback: (err, msg) => {
        const frame = err ? null : unpackInputFrame(msg.data);
        if (frame) this.send({ input: { session_id: sessionId, data: Buffer.from(frame.data), writer: frame.writer, seq: frame.seq } });
      },
    });
    const control = this.nc.subscribe(termControlSubject(sessionId), {
      callback: (err, msg) => { if (!err) this.onControl(sessionId, msg.data); },
    });
    this.sessionSubs.set(sessionId, [input, control]);
    this.recorders.set(sessionId, new OutputRecorder(sessionId, this.js, (acked) => this.send({ credit: { session_id: sessionId, acked_seq: acked } }), this.log));
  }

  private onControl(sessionId: string, data: Uint8Array): void {
    let c: TermControl;
    try {
      c = TermControl.parse(JSON.parse(Buffer.from(data).toString()));
    } catch {
      return;
    }
    if (c.type === 'resize') this.send({ resize: { session_id: sessionId, cols: c.cols, rows: c.rows } });
    else if (c.type === 'credit') this.recorders.get(sessionId)?.credit(c.seq);
    else if (c.type === 'resend') this.send({ resend: { session_id: sessionId, after_seq: c.seq } });
    else this.send({ close: { session_id: sessionId } });
  }

  private unwatchSession(sessionId: string): void {
    for (const s of this.sessionSubs.get(sessionId) ?? []) s.unsubscribe();
    this.sessionSubs.delete(sessionId);
    void this.recorders.get(sessionId)?.close();
    this.recorders.delete(sessionId);
  }

  private relayOutput(o: OutputChunk): void {
    if (!this.sessionSubs.has(o.session_id) || !Number.isSafeInteger(o.seq) || o.seq < 1) return;
    // A chunk sent again after a reconnect is timed when the agent read it, not when it came back.
    const heldMs = Number.isSafeInteger(o.held_ms) && o.held_ms! > 0 ? Math.min(o.held_ms!, 86_400_000) : 0;
    this.publishOutput(o.session_id, o.seq, 'data', o.data, Date.now() - heldMs);
  }

  private publishOutput(sessionId: string, seq: number, kind: 'data' | 'exit', data: Uint8Array, at = Date.now()): void {
    const record = { seq, kind, at, data };
    this.nc.publish(termOutputSubject(sessionId), packOutputRecords([record]));
    this.recorders.get(sessionId)?.add(record);
  }

  /** The stream is gone: fail what waits for it and stop listening for its sessions. */
  close(): void {
    for (const w of [...this.opens.values(), ...this.execs.values()]) {
      clearTimeout(w.timer);
      w.reject(new AppError('unavailable', MACHINE_OFFLINE.code, MACHINE_OFFLINE.message));
    }
    this.opens.clear();
    this.execs.clear();
    for (const id of [...this.sessionSubs.keys()]) this.unwatchSession(id);
  }
}
