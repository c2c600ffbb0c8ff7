// Checks that need npm packages (so they run after ensureNpmDeps): the database exists, NATS has JetStream.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './config.mjs';
import { ok, StackError } from './log.mjs';
import { redact } from './infra.mjs';

const requireFromRoot = createRequire(join(ROOT, 'package.json'));

/** The same server URL pointing at another database. */
export function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const databaseOf = (url) => decodeURIComponent(new URL(url).pathname.slice(1));
const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;

async function withClient(url, fn) {
  const { Client } = requireFromRoot('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try { return await fn(client); } finally { await client.end(); }
}

/** Runs SQL on the server's maintenance database `postgres`. */
function asAdmin(url, sql) {
  return withClient(withDatabase(url, 'postgres'), (c) => c.query(sql)).catch((err) => {
    throw new StackError(`PostgreSQL at ${redact(url)}: ${sql}\n  failed: ${err.message}`);
  });
}

export async function ensureDatabase(url) {
  const name = databaseOf(url);
  try {
    await withClient(url, (c) => c.query('SELECT 1'));
    return;
  } catch (err) {
    if (err.code !== '3D000') throw new StackError(`cannot connect to PostgreSQL at ${redact(url)}: ${err.message}`);
  }
  await asAdmin(url, `CREATE DATABASE ${quoteIdent(name)}`);
  ok(`created database ${name}`);
}

/** Drops (disconnecting its sessions) and creates the database, for a clean test run. */
export async function recreateDatabase(url) {
  const name = databaseOf(url);
  await asAdmin(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  await asAdmin(url, `CREATE DATABASE ${quoteIdent(name)}`);
  ok(`database ${name} recreated`);
}

export async function assertJetStream(natsUrl) {
  const { connect } = requireFromRoot('@nats-io/transport-node');
  const { jetstreamManager } = requireFromRoot('@nats-io/jetstream');
  let nc;
  try {
    nc = await connect({ servers: natsUrl.split(','), timeout: 5000, reconnect: false });
  } catch (err) {
    throw new StackError(`cannot connect to NATS at ${redact(natsUrl)}: ${err.message}`);
  }
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    await jsm.getAccountInfo();
  } catch (err) {
    throw new StackError(`NATS at ${redact(natsUrl)} has no JetStream (${err.message}).\n` +
      '  Restart it with JetStream enabled (nats-server -js -sd DIR), or unset NATS_URL / free port 4222 to let this script start one.');
  } finally {
    await nc.close();
  }
}
