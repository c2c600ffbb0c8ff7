import { containerEnv, K8sObject, loadManifests, podLabels, selects } from './lib/manifests';
import { SERVICES } from './lib/services';

// What the NetworkPolicies allow, worked out from the manifests: only the gateway's HTTP port and
// agent-bridge's gRPC port are reachable from outside; each service reaches exactly what its
// configuration says it uses (PostgreSQL, Redis, NATS, SMTP, the services it calls), and every
// connection one side may open, the other side accepts.

const objects = loadManifests();
const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
const workloads = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
const appOf = (w: K8sObject) => podLabels(w).app;
const workload = (app: string) => workloads.find((w) => appOf(w) === app)!;
const policiesFor = (w: K8sObject) => policies.filter((p) => selects(p.spec.podSelector, podLabels(w)));
const isDns = (rule: any) => (rule.ports ?? []).every((p: any) => p.port === 53);

/** "app:port" for each peer pod of the namespace a rule names; "*:port" for a rule open to anything. */
function peers(rule: any, side: 'to' | 'from'): string[] {
  const ports: number[] = (rule.ports ?? []).map((p: any) => p.port);
  const targets: any[] | undefined = rule[side];
  if (!targets?.length) return ports.map((p) => `*:${p}`);
  return targets.flatMap((t) => {
    if (t.namespaceSelector || t.ipBlock) return ports.map((p) => `${t.ipBlock ? '*' : 'ns'}:${p}`);
    return workloads.filter((w) => selects(t.podSelector, podLabels(w))).flatMap((w) => ports.map((p) => `${appOf(w)}:${p}`));
  });
}

const egressOf = (w: K8sObject) => new Set(policiesFor(w).flatMap((p) => (p.spec.egress ?? []).filter((r: any) => !isDns(r)).flatMap((r: any) => peers(r, 'to'))));
const ingressOf = (w: K8sObject) => new Set(policiesFor(w).flatMap((p) => (p.spec.ingress ?? []).flatMap((r: any) => peers(r, 'from'))));

/** "host:port" → "app:port" through the Service of that name. */
function serviceTarget(url: string): string {
  const u = new URL(url);
  const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === u.hostname);
  if (!svc) throw new Error(`${url}: no Service ${u.hostname} in the manifests`);
  return `${svc.spec.selector.app}:${u.port}`;
}

/** What a service's configuration says it talks to, as "app:port" (and open SMTP relay ports). */
function expectedEgress(name: string): string[] {
  const shape = SERVICES[name].shape;
  const env = containerEnv(workload(name).spec.template.spec.containers[0], objects);
  const out: string[] = [];
  for (const key of Object.keys(shape)) {
    if (['DATABASE_URL', 'REDIS_URL', 'NATS_URL'].includes(key) || /_SVC_URL$/.test(key)) out.push(serviceTarget(env[key]));
  }
  if ('SMTP_HOST' in shape) out.push(serviceTarget(`smtp://${env.SMTP_HOST}:${env.SMTP_PORT}`), '*:587', '*:465');
  return out.sort();
}

test('the namespace denies everything not allowed, and every pod may resolve names', () => {
  const deny = policies.find((p) => p.metadata.name === 'default-deny')!;
  expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const dns = policies.find((p) => p.metadata.name === 'dns')!;
  expect(dns.spec.podSelector).toEqual({});
  expect(dns.spec.egress[0].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }]);
});

test('from outside the namespace only the gateway (8080) and agent-bridge gRPC (7443) are reachable', () => {
  const open = workloads.flatMap((w) => [...ingressOf(w)].filter((p) => p.startsWith('*:')).map((p) => `${appOf(w)}${p.slice(1)}`));
  expect(open.sort()).toEqual(['agent-bridge:7443', 'gateway:8080']);
  // Besides Prometheus from the monitoring namespace, nothing else comes from another namespace.
  const fromNamespaces = policies.flatMap((p) => (p.spec.ingress ?? []).flatMap((r: any) => r.from ?? []).filter((f: any) => f.namespaceSelector));
  for (const f of fromNamespaces) expect(f.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } });
  // And only they have a way in: a LoadBalancer/NodePort Service or an Ingress.
  const exposed = objects.filter((o) => o.kind === 'Service' && ['LoadBalancer', 'NodePort'].includes(o.spec.type));
  expect(exposed.map((s) => `${s.spec.selector.app}:${s.spec.ports.map((p: any) => p.port).join(',')}`)).toEqual(['agent-bridge:7443']);
  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  const backends = ingresses.flatMap((i) => i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service.name)));
  expect([...new Set(backends)]).toEqual(['gateway']);
});

test.each(Object.keys(SERVICES))('%s reaches exactly what its configuration uses', (name) => {
  expect([...egressOf(workload(name))].sort()).toEqual(expectedEgress(name));
});

test('every connection a pod may open is accepted by its peer, and every peer allowed in may open it', () => {
  for (const w of workloads) {
    for (const target of egressOf(w)) {
      if (target.startsWith('*:')) continue;
      const [app] = target.split(':');
      expect([appOf(w), target, ingressOf(workload(app)).has(`${appOf(w)}:${target.split(':')[1]}`)]).toEqual([appOf(w), target, true]);
    }
    for (const source of ingressOf(w)) {
      const [app, port] = source.split(':');
      if (app === '*' || app === 'ns') continue;
      expect([source, appOf(w), egressOf(workload(app)).has(`${appOf(w)}:${port}`)]).toEqual([source, appOf(w), true]);
    }
  }
});

test('the NATS nodes reach each other on the cluster port and nothing else', () => {
  expect([...egressOf(workload('nats'))]).toEqual(['nats:6222']);
});
