import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root and the manifests folder, found from this file (never outside the repo). */
export const ROOT = join(__dirname, '../../..');
export const K8S_DIR = join(ROOT, 'deploy/k8s');

/** A Kubernetes object as read from YAML, with where it came from. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
  /** Path relative to the repository root, e.g. deploy/k8s/gateway.yaml. */
  file: string;
}

/** Every *.yaml under `dir`, recursively, sorted. */
export function yamlFiles(dir = K8S_DIR): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Parses every document of every manifest; a syntax error or a duplicate key throws, naming the file. */
export function loadManifests(dir = K8S_DIR): K8sObject[] {
  return yamlFiles(dir).flatMap((path) => {
    const file = relative(ROOT, path);
    return parseAllDocuments(readFileSync(path, 'utf8')).flatMap((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const obj = doc.toJS();
      return obj ? [{ ...obj, file } as K8sObject] : [];
    });
  });
}

/**
 * Validates one object against the Kubernetes OpenAPI schema of its apiVersion and kind
 * (kubernetes-models: `apps/v1` + `Deployment` → kubernetes-models/apps/v1/Deployment). Throws
 * for a kind the package does not know, or for an object that breaks the schema.
 */
export function validateWithSchema(obj: K8sObject): void {
  const { file, ...plain } = obj;
  let Model: new (data: unknown) => { validate(): void };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Model = require(`kubernetes-models/${obj.apiVersion}/${obj.kind}`)[obj.kind];
  } catch {
    throw new Error(`${file}: no schema for ${obj.apiVersion} ${obj.kind}`);
  }
  try {
    new Model(plain).validate();
  } catch (e) {
    throw new Error(`${file}: ${obj.kind} ${obj.metadata?.name}: ${(e as Error).message}`);
  }
}

/** The pod template's labels of a workload. */
export function podLabels(w: K8sObject): Record<string, string> {
  return w.spec?.template?.metadata?.labels ?? {};
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Whether a label selector picks a pod with these labels (an empty selector picks every pod). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpr = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return key in labels && values.includes(labels[key]);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
    }
  });
  return byLabel && byExpr;
}

/** The seconds of a `preStop: exec: [sleep, N]` pause, 0 without one. */
export function preStopSeconds(container: any): number {
  const cmd: string[] | undefined = container.lifecycle?.preStop?.exec?.command;
  if (cmd?.[0] === 'sleep') return Number(cmd[1]);
  return container.lifecycle?.preStop?.sleep?.seconds ?? 0;
}

/** The environment a container starts with: its ConfigMaps and Secrets (envFrom), then its own env. */
export function containerEnv(container: any, objects: K8sObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const source = objects.find((o) => o.kind === kind && o.metadata.name === ref.name);
    if (!source) throw new Error(`${container.name}: envFrom names the ${kind} ${ref.name}, which no manifest defines`);
    Object.assign(env, source.data ?? {}, source.stringData ?? {});
  }
  for (const e of container.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value;
  return env;
}
