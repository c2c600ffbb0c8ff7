/**
 * Reads the shell integration's OSC 633 marks out of a session's output and turns them into the
 * commands of the session. Only marks that end with this session's nonce count: a program that
 * prints a mark of its own cannot forge or end a command. Marks may be split across chunks.
 */
export interface ShellCommand {
  command: string;
  cwd: string;
  exitCode: number;
  /** The output chunk in which the command started, and when (ms since the epoch). */
  seq: number;
  startedAt: number;
  endedAt: number;
}

const START = Buffer.from('\x1b]633;');
const BEL = 0x07;
/** A mark longer than this is not one of ours (the command line is capped by the shell's escaping). */
const MAX_MARK_BYTES = 64 * 1024;

const unescape = (s: string) => s.replace(/\\x3b/g, ';').replace(/\\x0a/g, '\n').replace(/\\x07/g, '\x07').replace(/\\x1b/g, '\x1b').replace(/\\\\/g, '\\');

export class CommandMarks {
  private carry = Buffer.alloc(0);
  private cwd = '';
  private pending: { command: string; seq?: number; startedAt?: number } | null = null;

  constructor(private readonly nonce: string) {}

  /** Feeds one chunk of output; answers the commands that ended in it. */
  feed(chunk: Buffer, seq: number, now = Date.now()): ShellCommand[] {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = Buffer.alloc(0);
    const done: ShellCommand[] = [];
    let from = 0;
    for (;;) {
      const at = data.indexOf(START, from);
      if (at < 0) {
        // Keep a possible beginning of a mark split at the end of the chunk.
        const tail = data.lastIndexOf(0x1b);
        if (tail >= 0 && data.length - tail < START.length) this.carry = Buffer.from(data.subarray(tail));
        break;
      }
      const end = data.indexOf(BEL, at + START.length);
      if (end < 0) {
        if (data.length - at <= MAX_MARK_BYTES) this.carry = Buffer.from(data.subarray(at));
        break;
      }
      this.onMark(data.subarray(at + START.length, end).toString('utf8'), seq, now, done);
      from = end + 1;
    }
    return done;
  }

  /**
   * The shell exited: the command it was running (`exit 3`, or one killed with the shell) ends with
   * the shell's own exit code; no mark will ever end it.
   */
  end(exitCode: number, now = Date.now()): ShellCommand | null {
    const p = this.pending;
    this.pending = null;
    if (p?.seq === undefined) return null;
    return { command: p.command, cwd: this.cwd, exitCode, seq: p.seq, startedAt: p.startedAt!, endedAt: now };
  }

  private onMark(body: string, seq: number, now: number, done: ShellCommand[]): void {
    const parts = body.split(';');
    if (parts.length < 2 || parts[parts.length - 1] !== this.nonce) return;
    const args = parts.slice(1, -1);
    switch (parts[0]) {
      case 'E': this.pending = { command: unescape(args.join(';')) }; return;
      case 'C': if (this.pending) { this.pending.seq = seq; this.pending.startedAt = now; } return;
      case 'D': {
        const p = this.pending;
        this.pending = null;
        const code = Number(args[0]);
        if (p?.seq === undefined) return;
        done.push({ command: p.command, cwd: this.cwd, exitCode: Number.isInteger(code) ? code : -1, seq: p.seq, startedAt: p.startedAt!, endedAt: now });
        return;
      }
      case 'P': if (args[0]?.startsWith('Cwd=')) this.cwd = unescape(args.join(';').slice(4)); return;
      default:
    }
  }
}
