import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectNats, ensureStream, NatsConnection } from '@webxterm/kit';
import { freePort, uniqueName, waitUntil } from '@webxterm/testkit';
import { loadManifests, ROOT } from './lib/manifests';

// The NATS configuration of deploy/k8s/nats.yaml, run for real: three nats-servers on this
// machine's loopback with the ConfigMap's nats.conf (only ports, hosts and folders rewritten),
// a stream created by the kit with three replicas, and a node leaving through the preStop
// command (lame-duck mode) while the stream keeps taking messages.

const DIR = join(ROOT, '.stack/nats-cluster-test');
const conf = loadManifests().find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'nats-config')!.data!['nats.conf'];
const sts = loadManifests().find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats')!;
const preStop: string[] = sts.spec.template.spec.containers[0].lifecycle.preStop.exec.command;
const nodes: { client: number; cluster: number; monitor: number; dir: string; child?: ChildProcess }[] = [];
let nc: NatsConnection;

/** The ConfigMap's nats.conf for node `i` on loopback ports; every rewrite must find what it rewrites. */
function localConf(i: number): string {
  const n = nodes[i];
  const swaps: [RegExp, string][] = [
    [/^port: 4222$/m, `host: 127.0.0.1\nport: ${n.client}`],
    [/^http_port: 8222$/m, `http: 127.0.0.1:${n.monitor}`],
    [/^pid_file: \/var\/run\/nats\/nats\.pid$/m, `pid_file: ${join(n.dir, 'nats.pid')}`],
    [/store_dir: \/data/, `store_dir: ${join(n.dir, 'data')}`],
    [/^(\s+)port: 6222$/m, `$1host: 127.0.0.1\n$1port: ${n.cluster}`],
    ...nodes.map((m, j) => [new RegExp(`nats://nats-${j}\\.nats-headless:6222`), `nats://127.0.0.1:${m.cluster}`] as [RegExp, string]),
  ];
  return swaps.reduce((text, [re, to]) => {
    if (!re.test(text)) throw new Error(`nats.conf no longer has ${re}`);
    return text.replace(re, to);
  }, conf);
}

beforeAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  for (let i = 0; i < 3; i++) nodes.push({ client: await freePort(), cluster: await freePort(), monitor: await freePort(), dir: join(DIR, `nats-${i}`) });
  nodes.forEach((n, i) => {
    mkdirSync(n.dir, { recursive: true });
    writeFileSync(join(n.dir, 'nats.conf'), localConf(i));
    n.child = spawn('nats-server', ['--config', join(n.dir, 'nats.conf')], { env: { ...process.env, POD_NAME: `nats-${i}` }, stdio: 'ignore' });
  });
  for (const [i, n] of nodes.entries()) {
    await waitUntil(async () => {
      if (n.child!.exitCode !== null) throw new Error(`nats-${i} exited with ${n.child!.exitCode}: its nats.conf is refused (nats-server --config ${join(n.dir, 'nats.conf')})`);
      return fetch(`http://127.0.0.1:${n.monitor}/healthz`).then(() => true, () => false);
    }, 15_000, `nats-${i} listening`);
  }
  // JetStream answers once the three have elected a meta leader.
  nc = await connectNats(nodes.map((n) => `nats://127.0.0.1:${n.client}`).join(','), 'nats-cluster-test');
  await waitUntil(() => jetstreamManager(nc).then((m) => m.getAccountInfo()).then(() => true, () => false), 40_000, 'a JetStream meta leader');
}, 60_000);

afterAll(async () => {
  await nc?.close();
  for (const n of nodes) if (n.child && n.child.exitCode === null) { n.child.kill('SIGKILL'); }
  rmSync(DIR, { recursive: true, force: true });
});

test('a stream created with NATS_STREAM_REPLICAS=3 has three copies and survives a node leaving through the preStop command', async () => {
  const id = uniqueName('r3');
  const def = { name: `CLUSTER_${id}`, subjects: [`cluster.${id}.>`], duplicateWindowSec: 60, maxAgeDays: 1 };
  await waitUntil(() => ensureStream(nc, def, 3).then(() => true, () => false), 20_000, 'the replicated stream created');
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(def.name);
  expect(info.config.num_replicas).toBe(3);
  expect(info.cluster?.replicas?.length).toBe(2);
  const js = jetstream(nc);
  await js.publish(`cluster.${id}.before`, 'before');

  // What Kubernetes runs before SIGTERM: lame-duck mode; the node hands over and exits.
  const leaving = nodes[0];
  expect(leaving.child!.exitCode).toBeNull();
  // A client of its own, which lame-duck mode must move off it before it exits.
  const own = await connectNats(`nats://127.0.0.1:${leaving.client}`, 'on-the-leaving-node');
  const [cmd, ...args] = preStop;
  execFileSync(cmd, args.map((a) => a.replace('/var/run/nats/nats.pid', join(leaving.dir, 'nats.pid'))));
  await waitUntil(() => leaving.child!.exitCode !== null || leaving.child!.signalCode !== null, 60_000, 'the lame-duck node to exit (5 s grace, 30 s lame duck)');
  expect(own.isClosed() ? 'closed' : 'still connected (reconnected to another node)').toBe('still connected (reconnected to another node)');
  await own.close();

  // Two of three copies are a quorum: the stream still takes and keeps messages.
  await waitUntil(() => js.publish(`cluster.${id}.after`, 'after').then(() => true, () => false), 20_000, 'a publish acknowledged without node 0');
  const after = await jsm.streams.info(def.name);
  expect(after.state.messages).toBe(2);
}, 120_000);
