import { containerEnv, loadManifests } from './lib/manifests';
import { KIT_SCHEMAS, localDefaultKeys, requiredKeys, SERVICES } from './lib/services';

// Every variable a service cannot start without is given to its pod by the ConfigMap, the Secret
// (deploy/k8s/dev/secret.yaml shows its keys) or the Deployment itself, and the whole environment
// passes the service's own config schema, so no pod fails at boot on configuration.

const objects = loadManifests();
const envOf = (name: string) => {
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  if (!d) throw new Error(`no Deployment ${name}`);
  return containerEnv(d.spec.template.spec.containers[0], objects);
};

test('the schemas have required variables to check (JWT_SECRET at least)', () => {
  for (const schema of Object.values(SERVICES).filter((s) => 'DATABASE_URL' in s.shape || 'REDIS_URL' in s.shape)) {
    expect(requiredKeys(schema)).toContain('JWT_SECRET');
  }
});

test.each(Object.keys(SERVICES))('%s: every required variable is provided by its ConfigMap, Secret or env', (name) => {
  const env = envOf(name);
  const missing = requiredKeys(SERVICES[name]).filter((k) => !(k in env));
  expect(missing).toEqual([]);
});

test.each(Object.keys(SERVICES))('%s: no variable is left at a default that points at this machine', (name) => {
  const env = envOf(name);
  const local = localDefaultKeys(SERVICES[name]).filter((k) => !(k in env));
  expect(local).toEqual([]);
});

test.each(Object.keys(SERVICES))('%s: the environment its pod gets passes its config schema', (name) => {
  const env = envOf(name);
  for (const schema of [SERVICES[name], ...KIT_SCHEMAS]) {
    const parsed = schema.safeParse(env);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  }
});

test('a missing required variable is reported', () => {
  const env = envOf('gateway');
  delete env.JWT_SECRET;
  expect(requiredKeys(SERVICES.gateway).filter((k) => !(k in env))).toEqual(['JWT_SECRET']);
});
