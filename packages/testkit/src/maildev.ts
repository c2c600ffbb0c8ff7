import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './ports';
import { waitUntil } from './wait';

/** One email as MailDev received it. */
export interface Mail {
  subject: string;
  text: string;
  html?: string;
  from: string;
  /** Recipient addresses, lowercased (To, Cc and the SMTP envelope). */
  to: string[];
  time: string;
}

export interface MailDev {
  smtpPort: number;
  webPort: number;
  /** Every mail received so far for `address`, oldest first. */
  messagesTo(address: string): Promise<Mail[]>;
  /** The first mail for `address` matching `predicate`; rejects after `timeoutMs`. */
  waitForMail(address: string, predicate?: (mail: Mail) => boolean, timeoutMs?: number): Promise<Mail>;
  stop(): Promise<void>;
}

/** The JSON of MailDev's `GET /email`, the fields we read. */
interface RawMail {
  subject?: string;
  text?: string;
  html?: string;
  from?: { address: string }[];
  to?: { address: string }[];
  cc?: { address: string }[];
  envelope?: { to?: { address: string }[] };
  time?: string;
}

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

function mailDevBinary(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(dir, 'node_modules', '.bin', 'maildev');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  throw new Error('node_modules/.bin/maildev not found: run `npm install` at the repository root');
}

const DIR_PREFIX = 'webxterm-maildev-';

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Removes mail folders of test processes that were killed before they could clean up. */
function removeOrphanMailDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    const owner = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (owner && !isAlive(Number(owner))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function toMail(raw: RawMail): Mail {
  const addresses = [...(raw.to ?? []), ...(raw.cc ?? []), ...(raw.envelope?.to ?? [])].map((a) => a.address.toLowerCase());
  return {
    subject: raw.subject ?? '',
    text: raw.text ?? '',
    html: raw.html,
    from: raw.from?.[0]?.address ?? '',
    to: [...new Set(addresses)],
    time: raw.time ?? '',
  };
}

async function getJson(url: string): Promise<unknown | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a MailDev of its own on two free ports of 127.0.0.1 and waits until it answers. */
export async function startMailDev(): Promise<MailDev> {
  removeOrphanMailDirs();
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const smtpPort = await freePort();
    const webPort = await freePort();
    if (smtpPort === webPort) continue;
    const mailDir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
    const child = spawn(mailDevBinary(), [
      '--smtp', String(smtpPort), '--web', String(webPort), '--ip', '127.0.0.1', '--silent', '--mail-directory', mailDir,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
    let exited = false;
    child.once('exit', () => { exited = true; });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    const stop = async () => {
      process.removeListener('exit', killOnExit);
      if (!exited) {
        child.kill('SIGTERM');
        await waitUntil(() => exited, STOP_TIMEOUT_MS, 'MailDev to exit').catch(() => undefined);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(mailDir, { recursive: true, force: true });
    };

    const web = `http://127.0.0.1:${webPort}`;
    const outcome = await waitUntil(async () => (exited ? 'exited' : (await getJson(`${web}/email`)) ? 'up' : undefined), START_TIMEOUT_MS, 'MailDev to answer')
      .catch(() => 'silent' as const);
    if (outcome === 'up') {
      const messagesTo = async (address: string): Promise<Mail[]> => {
        const raw = (await getJson(`${web}/email`)) as RawMail[] | undefined;
        if (!raw) throw new Error(`MailDev on ${web} did not answer`);
        const wanted = address.toLowerCase();
        return raw.map(toMail).filter((m) => m.to.includes(wanted));
      };
      const waitForMail = async (address: string, predicate: (mail: Mail) => boolean = () => true, timeoutMs = 10_000) => {
        return waitUntil(async () => (await messagesTo(address)).find(predicate), timeoutMs, `a matching mail for ${address}`);
      };
      return { smtpPort, webPort, messagesTo, waitForMail, stop };
    }
    lastError = exited ? `it exited: ${stderr.trim()}` : `no answer on ${web} within ${START_TIMEOUT_MS} ms`;
    await stop();
  }
  throw new Error(`MailDev did not start: ${lastError}`);
}
