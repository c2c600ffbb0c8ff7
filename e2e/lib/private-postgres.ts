import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@webxterm/testkit';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL 15 cluster of this test file's own (a temp directory, trust auth, no fsync), so the
 * test can restart it without disturbing the shared one. PostgreSQL refuses to run as root: every
 * command runs as the `postgres` user, and the directory belongs to it.
 */
export interface PrivatePostgres { url: string; restart(downMs?: number): Promise<void>; stop(): Promise<void> }

async function asPostgres(cmd: string, args: string[]): Promise<void> {
  try {
    await run('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], { timeout: 60_000 });
  } catch (e) {
    const err = e as Error & { stderr?: string; stdout?: string; signal?: string };
    throw new Error(`${cmd} ${args.at(-1)} failed (${err.signal ?? err.message.split('\n')[0]}): ${err.stderr || err.stdout}`);
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'webxterm-pg-'));
  const { uid, gid } = await postgresIds();
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  // pg_ctl -w returns once the server accepts connections.
  const start = () => asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  // -m fast: what a restart does to clients — every session is terminated (57P01), nothing waits for them.
  const stop = () => asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async (downMs = 1000) => { await stop(); await new Promise((r) => setTimeout(r, downMs)); await start(); },
    stop: async () => { await stop().catch(() => undefined); rmSync(dir, { recursive: true, force: true }); },
  };
}
