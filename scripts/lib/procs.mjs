// Child processes of the stack: each in its own process group (so grandchildren die with it), its
// output prefixed on the console or written to a log file, its last lines kept for error messages.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ROOT, WAIT } from './config.mjs';
import { dim, info, prefixFor, warn } from './log.mjs';
import { httpStatus, pollUntil } from './net.mjs';

const TAIL_LINES = 40;
const PINO_LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Pino JSON lines become `12:00:01 INFO message {rest}`; anything else is printed as-is. */
function prettyLine(line) {
  if (!line.startsWith('{')) return line;
  try {
    const { level, time, msg, pid, hostname, ...rest } = JSON.parse(line);
    if (typeof level !== 'number') return line;
    const at = new Date(time ?? Date.now()).toTimeString().slice(0, 8);
    const extra = Object.keys(rest).length ? ` ${dim(JSON.stringify(rest))}` : '';
    return `${dim(at)} ${PINO_LEVELS[level] ?? level} ${msg ?? ''}${extra}`;
  } catch {
    return line;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

function signalGroup(pid, signal) {
  try { process.kill(-pid, signal); return true; } catch { return false; }
}

/** SIGTERM to the whole group, SIGKILL after WAIT.stopMs, then SIGKILL for any member left behind. */
async function stopProcessGroup(child) {
  if (!child.pid) return;
  signalGroup(child.pid, 'SIGTERM');
  if (!(await waitForExit(child, WAIT.stopMs))) {
    signalGroup(child.pid, 'SIGKILL');
    await waitForExit(child, 2000);
  }
  for (let i = 0; i < 20 && signalGroup(child.pid, 0); i++) await sleep(100);
  signalGroup(child.pid, 'SIGKILL');
}

/** Thrown when asked to start something after a signal began stopping everything. */
export class Interrupted extends Error {}

export class ProcessGroup {
  #stoppers = [];
  #stopping = false;

  get stopping() { return this.#stopping; }

  /**
   * Starts a long-running child. `logFile` sends its output there instead of the console.
   * `handle.onUnexpectedExit`, once set, runs when it exits before stopAll().
   */
  spawn(name, command, args, { env = process.env, cwd = ROOT, logFile } = {}) {
    if (this.#stopping) throw new Interrupted();
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const handle = { name, child, tail: [], exited: null, onUnexpectedExit: null };
    const file = logFile ? createWriteStream(logFile, { flags: 'a' }) : null;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        handle.tail.push(line);
        if (handle.tail.length > TAIL_LINES) handle.tail.shift();
        if (file) file.write(`${line}\n`);
        else console.log(`${prefixFor(name)} ${prettyLine(line)}`);
      });
    }
    const markExited = (how) => {
      if (handle.exited) return;
      handle.exited = how;
      if (!this.#stopping) handle.onUnexpectedExit?.(handle);
    };
    child.once('error', (err) => markExited(`failed to start: ${err.message}`));
    child.once('exit', (code, signal) => markExited(signal ? `killed by ${signal}` : `exit code ${code}`));
    child.once('close', () => file?.end());
    this.#stoppers.push({ name, stop: () => stopProcessGroup(child) });
    return handle;
  }

  /** Runs a child to completion with the terminal as its stdio; resolves its exit code. */
  run(name, command, args, { env = process.env, cwd = ROOT } = {}) {
    if (this.#stopping) throw new Interrupted();
    const child = spawn(command, args, { cwd, env, detached: true, stdio: 'inherit' });
    const entry = { name, stop: () => stopProcessGroup(child) };
    this.#stoppers.push(entry);
    return new Promise((resolve) => {
      const finish = (code) => {
        this.#stoppers = this.#stoppers.filter((e) => e !== entry);
        resolve(code);
      };
      child.once('error', (err) => { warn(`${name}: ${err.message}`); finish(1); });
      child.once('exit', (code, signal) => finish(signal ? 1 : code ?? 1));
    });
  }

  /** Registers how to stop something that is not a child process (e.g. pg_ctl's postgres). */
  onStop(name, stop) {
    this.#stoppers.push({ name, stop });
  }

  /** Stops everything this group started, newest first. Safe to call twice. */
  async stopAll() {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const { name, stop } of this.#stoppers.reverse()) {
      try { await stop(); } catch (err) { warn(`could not stop ${name}: ${err.message}`); }
    }
    this.#stoppers = [];
  }
}

/**
 * Ctrl-C, SIGTERM and a closed terminal stop everything the group started, then exit. So does the
 * death of our parent: `kill <npm pid>` reaches only npm's `sh -c`, which dies without passing it on.
 */
export function stopOnSignals(group) {
  const stopAndExit = async (why, code) => {
    if (group.stopping) return;
    console.log('');
    info(`${why}: stopping what this script started…`);
    await group.stopAll();
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => stopAndExit(signal, signal === 'SIGINT' ? 130 : 143));
  }
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) stopAndExit('parent process exited', 143); }, 1000).unref();
}

/** Waits for GET url to answer 200; fails early when the child exits. */
export async function waitForHealthy(url, handle, timeoutMs = WAIT.serviceHealthMs) {
  const result = await pollUntil(async () => (await httpStatus(url)) === 200, {
    timeoutMs,
    abort: () => (handle.exited ? `it exited (${handle.exited})` : null),
  });
  return result.reason ?? null;
}

export function tailText(handle) {
  return handle.tail.length ? handle.tail.map((l) => `    ${l}`).join('\n') : '    (no output)';
}
