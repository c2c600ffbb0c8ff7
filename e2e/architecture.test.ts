/**
 * The import graph: services share contracts, never code paths. No service imports another
 * service or another service's files, and a package is reached only through its name and its
 * public index (`@webxterm/kit`, never `@webxterm/kit/src/…` or `../packages/kit/…`). Read from the
 * sources with TypeScript's own import scanner; every breach is named as file:line.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const SERVICES = ['auth-svc', 'gateway', 'machine-svc', 'terminal-svc', 'agent-bridge', 'agent', 'audit-svc', 'community-svc', 'web'];
const PACKAGES = readdirSync(join(ROOT, 'packages')).filter((d) => existsSync(join(ROOT, 'packages', d, 'package.json'))).map((d) => `packages/${d}`);
/** Written by tools, not by us. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.stack']);
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs|jsx)$/;

const packageName = (dir: string): string => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')).name;
const SERVICE_OF_NAME = new Map(SERVICES.map((s) => [packageName(s), s]));
const PACKAGE_NAMES = new Set(PACKAGES.map(packageName));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return SKIPPED_DIRS.has(entry) ? [] : sourceFiles(path);
    return SOURCE.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

interface Import { file: string; line: number; specifier: string }

/** Every import, export … from, require() and import() in a file, with its line. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const lines = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  return ts.preProcessFile(text, true, true).importedFiles.map((ref) => ({
    file: relative(ROOT, file),
    line: lines.getLineAndCharacterOfPosition(ref.pos).line + 1,
    specifier: ref.fileName,
  }));
}

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

/** What is wrong with one import in `owner` (a service or package folder), or null. */
function breach(owner: string, imp: Import): string | null {
  const { specifier } = imp;
  if (specifier.startsWith('.')) {
    const target = resolve(ROOT, dirname(imp.file), specifier);
    if (inside(target, join(ROOT, owner))) return null;
    const into = relative(ROOT, target).split(sep).slice(0, 2).join('/');
    return `reaches outside ${owner} into ${into} by a relative path`;
  }
  const [scope, name, ...deep] = specifier.split('/');
  const pkg = scope.startsWith('@') ? `${scope}/${name}` : scope;
  const service = SERVICE_OF_NAME.get(pkg);
  if (service && service !== owner) return `imports the service ${service}`;
  if (PACKAGE_NAMES.has(pkg) && (scope.startsWith('@') ? deep : [name, ...deep].filter(Boolean)).length > 0) {
    return `imports ${pkg} past its public index`;
  }
  return null;
}

function breaches(owners: string[]): string[] {
  return owners.flatMap((owner) => sourceFiles(join(ROOT, owner)).flatMap((file) =>
    importsOf(file).flatMap((imp) => {
      const why = breach(owner, imp);
      return why ? [`${imp.file}:${imp.line}: '${imp.specifier}' ${why}`] : [];
    })));
}

describe('the import graph', () => {
  it('no service imports another service, its files, or a package past its index', () => {
    expect(breaches(SERVICES)).toEqual([]);
  });

  it('no package imports a service, another package past its index, or a file outside itself', () => {
    expect(breaches(PACKAGES)).toEqual([]);
  });

  it('e2e and bench reach packages only through their index', () => {
    const deep = ['e2e', 'bench'].flatMap((dir) => sourceFiles(join(ROOT, dir)).flatMap((file) =>
      importsOf(file).filter((imp) => !imp.specifier.startsWith('.') && breach(dir, imp)?.includes('public index'))
        .map((imp) => `${imp.file}:${imp.line}: '${imp.specifier}' imports past the public index`)));
    expect(deep).toEqual([]);
  });

  it('names what it finds, file and line', () => {
    const dir = join(ROOT, 'gateway', 'src');
    const file = join(dir, 'x.ts');
    const probe = (specifier: string) => breach('gateway', { file: relative(ROOT, file), line: 3, specifier });
    expect(probe('../../auth-svc/src/main')).toBe('reaches outside gateway into auth-svc/src by a relative path');
    expect(probe('../../packages/kit/src/index')).toBe('reaches outside gateway into packages/kit by a relative path');
    expect(probe('@webxterm/auth-svc')).toBe('imports the service auth-svc');
    expect(probe('@webxterm/kit/src/nats')).toBe('imports @webxterm/kit past its public index');
    expect(probe('@webxterm/kit')).toBeNull();
    expect(probe('./http/routes')).toBeNull();
    expect(probe('@nats-io/jetstream')).toBeNull();
  });
});
