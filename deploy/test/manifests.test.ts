import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { drainBudgetMs, shutdownSteps } from './lib/drain-budget';
import { containerEnv, loadManifests, podLabels, preStopSeconds, ROOT, selects, validateWithSchema, yamlFiles } from './lib/manifests';
import { SERVICES } from './lib/services';

// Offline checks of deploy/k8s: every object against the Kubernetes schemas, then what an operator
// relies on: probes, resources, non-root read-only pods, budgets, autoscalers, a NATS cluster,
// graceful termination longer than each service's drain, and Skaffold building what is deployed.

const objects = loadManifests();
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
/** The platform's own workloads (the dev profile's throwaway PostgreSQL/Redis/MailDev aside). */
const platform = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && !o.file.startsWith('deploy/k8s/dev/'));
const deployment = (name: string) => ofKind('Deployment').find((d) => d.metadata.name === name)!;
const HPA_SCALED = ['gateway', 'terminal-svc', 'agent-bridge'];

test('every manifest parses and every object validates against the Kubernetes schema of its kind', () => {
  expect(yamlFiles().length).toBeGreaterThan(5);
  expect(objects.length).toBeGreaterThan(30);
  for (const obj of objects) validateWithSchema(obj);
  for (const obj of objects) if (obj.kind !== 'Namespace') expect(`${obj.kind}/${obj.metadata.name}: ${obj.metadata.namespace}`).toBe(`${obj.kind}/${obj.metadata.name}: webxterm`);
});

test('the schema check catches a broken object', () => {
  const broken = { ...deployment('gateway'), spec: { ...deployment('gateway').spec, replicas: 'two' } };
  expect(() => validateWithSchema(broken)).toThrow(/replicas/);
  expect(() => validateWithSchema({ ...broken, kind: 'Deploymnet' })).toThrow(/no schema/);
});

test('every service has a Deployment, and every Deployment of the platform is a known service', () => {
  const deployed = platform.filter((w) => w.kind === 'Deployment').map((d) => d.metadata.name).sort();
  expect(deployed).toEqual(Object.keys(SERVICES).sort());
});

test.each(platform.map((w) => [w.metadata.name, w] as const))('%s: probes, resources, non-root and a read-only root filesystem', (_name, w) => {
  const pod = w.spec.template.spec;
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
  expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  expect(pod.automountServiceAccountToken).toBe(false);
  for (const c of pod.containers) {
    expect(c.readinessProbe).toBeDefined();
    expect(c.livenessProbe).toBeDefined();
    if (w.metadata.name !== 'nats') {
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    }
    expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // A read-only root: whatever is written goes to a volume the pod declares.
    for (const m of c.volumeMounts ?? []) {
      const vol = pod.volumes?.find((v: any) => v.name === m.name) ?? w.spec.volumeClaimTemplates?.find((t: any) => t.metadata.name === m.name);
      expect(vol).toBeDefined();
    }
  }
});

test.each(platform.map((w) => [w.metadata.name, w] as const))('%s: a PodDisruptionBudget lets one pod go at a time', (_name, w) => {
  const pdbs = ofKind('PodDisruptionBudget').filter((p) => selects(p.spec.selector, podLabels(w)));
  expect(pdbs).toHaveLength(1);
  expect(pdbs[0].spec.maxUnavailable).toBe(1);
});

test('gateway, terminal-svc and agent-bridge scale on CPU from 2 pods; the others run 2', () => {
  const hpas = ofKind('HorizontalPodAutoscaler');
  expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([...HPA_SCALED].sort());
  for (const h of hpas) {
    const target = deployment(h.spec.scaleTargetRef.name);
    expect(h.spec.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
    expect(h.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(h.spec.maxReplicas).toBeGreaterThan(h.spec.minReplicas);
    expect(h.spec.metrics).toContainEqual({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } } });
    // `kubectl apply` would reset the autoscaler's count if the Deployment named one.
    expect(target.spec.replicas).toBeUndefined();
  }
  for (const d of platform.filter((w) => w.kind === 'Deployment' && !HPA_SCALED.includes(w.metadata.name))) {
    expect([d.metadata.name, d.spec.replicas]).toEqual([d.metadata.name, 2]);
  }
});

test.each(Object.keys(SERVICES))('%s: the grace period outlasts the preStop pause plus the longest drain', (name) => {
  const d = deployment(name);
  const [container] = d.spec.template.spec.containers;
  const config = SERVICES[name].parse(containerEnv(container, objects));
  const steps = shutdownSteps(join(ROOT, name, 'src/main.ts'), config);
  expect(steps.length).toBeGreaterThan(1);
  const needSec = preStopSeconds(container) + drainBudgetMs(steps) / 1000;
  expect(preStopSeconds(container)).toBeGreaterThan(0);
  // A margin of 5 s for the process to exit after its last step.
  expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(needSec + 5);
});

describe('NATS', () => {
  const sts = ofKind('StatefulSet').find((s) => s.metadata.name === 'nats')!;
  const conf = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'nats-config')!.data!['nats.conf'];

  test('is a three-node JetStream cluster whose routes name every node', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.serviceName).toBe('nats-headless');
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(conf).toMatch(/jetstream\s*\{[^}]*store_dir:\s*\/data/);
    expect(conf).toMatch(/server_name:\s*\$POD_NAME/);
    for (let i = 0; i < 3; i++) expect(conf).toContain(`nats://nats-${i}.nats-headless:6222`);
    const headless = ofKind('Service').find((s) => s.metadata.name === 'nats-headless')!;
    expect(headless.spec.clusterIP).toBe('None');
  });

  test('streams are created with three copies, and a node leaves in lame-duck mode', () => {
    const shared = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'webxterm-config')!;
    expect(shared.data!.NATS_STREAM_REPLICAS).toBe(String(sts.spec.replicas));
    const [c] = sts.spec.template.spec.containers;
    expect(c.lifecycle.preStop.exec.command.join(' ')).toMatch(/-sl=ldm=/);
    const lameDuckSec = Number(/lame_duck_duration:\s*(\d+)s/.exec(conf)![1]) + Number(/lame_duck_grace_period:\s*(\d+)s/.exec(conf)![1]);
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(lameDuckSec);
  });
});

test('Skaffold builds exactly the images the manifests run and deploys every manifest folder', () => {
  const skaffold = parse(readFileSync(join(ROOT, 'skaffold.yaml'), 'utf8'));
  const built = skaffold.build.artifacts.map((a: any) => a.image).sort();
  const run = platform.filter((w) => w.kind === 'Deployment').flatMap((d) => d.spec.template.spec.containers.map((c: any) => c.image)).sort();
  expect(built).toEqual(run);
  for (const a of skaffold.build.artifacts) expect(a.docker.buildArgs.SERVICE).toBe(a.image);
  const globs: string[] = [...skaffold.manifests.rawYaml, ...skaffold.profiles.flatMap((p: any) => (p.patches ?? []).filter((x: any) => x.path === '/manifests/rawYaml/-').map((x: any) => x.value))];
  const dirs = new Set(yamlFiles().map((f) => f.slice(ROOT.length + 1).replace(/\/[^/]+$/, '')));
  for (const dir of dirs) expect(globs).toContain(`${dir}/*.yaml`);
});
