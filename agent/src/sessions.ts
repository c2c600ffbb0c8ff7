import * as pty from 'node-pty';
import type { LiveSession, OpenSessionMsg } from '@webxterm/contracts';
import { LinuxUser, spawnIdentity, userEnv } from './linux-user';
import { PtySession, Send } from './pty-session';
import { ShellIntegration } from './shell-integration';

/** The agent's live PTYs. They outlive any one stream to the bridge. */
export class SessionTable {
  private readonly sessions = new Map<string, PtySession>();
  private readonly integration = new ShellIntegration();
  private send: Send = () => {};

  private reaper: NodeJS.Timeout | null = null;

  /**
   * `detachedTimeoutMs`: a session whose owner has had no socket attached for this long (no
   * keystroke, no credit — an attached socket credits at least every 30 s) is closed.
   */
  constructor(private readonly user: LinuxUser, private readonly allowRoot: boolean, private readonly detachedTimeoutMs = 3_600_000) {
    this.reaper = setInterval(() => this.closeDetached(), Math.min(60_000, detachedTimeoutMs / 2));
    this.reaper.unref();
  }

  closeDetached(now = Date.now()): void {
    for (const s of this.sessions.values()) if (now - s.lastAttachedAt > this.detachedTimeoutMs) s.close();
  }

  /** A new stream is up: route output through it and replay what was not acknowledged. */
  attach(send: Send): void {
    this.send = send;
    for (const s of this.sessions.values()) s.replay(send);
  }

  detach(): void {
    this.send = () => {};
    for (const s of this.sessions.values()) s.detach();
  }

  live(): LiveSession[] {
    return [...this.sessions.values()].map((s) => s.live());
  }

  open(m: OpenSessionMsg): number {
    const existing = this.sessions.get(m.session_id);
    if (existing) return existing.pid;
    const identity = spawnIdentity(this.user, this.allowRoot);
    const shell = this.integration.launch(this.user.shell, this.user.home);
    const p = pty.spawn(this.user.shell, shell.args, {
      name: 'xterm-256color', cols: m.cols || 80, rows: m.rows || 24, cwd: this.user.home, env: { ...userEnv(this.user), ...shell.env }, ...identity,
      encoding: null,
    });
    const session = new PtySession(m.session_id, p, m.window_bytes || 256 * 1024, (msg) => this.send(msg), (id) => this.sessions.delete(id), shell.marks);
    this.sessions.set(m.session_id, session);
    return p.pid;
  }

  get(id: string): PtySession | undefined {
    return this.sessions.get(id);
  }

  closeAll(): void {
    if (this.reaper) clearInterval(this.reaper);
    for (const s of this.sessions.values()) s.close();
  }
}
