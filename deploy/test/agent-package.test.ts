import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/manifests';

// scripts/package-agent.mjs: the tarball a machine installs with one command. Installed here under
// .stack/ (PREFIX, BIN_DIR, UNIT_DIR), never into the system.

const WORK = join(ROOT, '.stack/agent-package-test');
const { version } = JSON.parse(readFileSync(join(ROOT, 'agent/package.json'), 'utf8'));
let tarball: string;

beforeAll(() => {
  rmSync(WORK, { recursive: true, force: true });
  execFileSync(process.execPath, [join(ROOT, 'scripts/package-agent.mjs'), '--out', WORK], { cwd: ROOT, stdio: 'pipe', timeout: 120_000 });
  [tarball] = readdirSync(WORK).filter((f) => f.endsWith('.tar.gz'));
}, 150_000);
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

test('the tarball is named for the version and the platform, and holds the agent, node-pty, the unit and install.sh', () => {
  expect(tarball).toBe(`vsay-agent-${version}-linux-${process.arch}.tar.gz`);
  const files = execFileSync('tar', ['-tzf', join(WORK, tarball)], { encoding: 'utf8' }).split('\n');
  for (const f of ['vsay-agent/install.sh', 'vsay-agent/vsay-agent.service', 'vsay-agent/lib/vsay-agent.js', 'vsay-agent/lib/agent.proto',
    'vsay-agent/lib/node_modules/node-pty/build/Release/pty.node', 'vsay-agent/lib/node_modules/node-pty/lib/index.js']) {
    expect(files).toContain(f);
  }
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});

test('install.sh installs it: the command answers its version, the unit runs it, and its PTY addon works', () => {
  const extracted = join(WORK, 'extracted');
  execFileSync('mkdir', ['-p', extracted]);
  execFileSync('tar', ['-xzf', join(WORK, tarball), '-C', extracted]);
  const dirs = { PREFIX: join(WORK, 'opt/vsay-agent'), BIN_DIR: join(WORK, 'bin'), UNIT_DIR: join(WORK, 'systemd') };
  const out = execFileSync(join(extracted, 'vsay-agent/install.sh'), { env: { ...process.env, ...dirs }, encoding: 'utf8' });
  expect(out).toContain(`installed vsay-agent ${version}`);
  expect(execFileSync(join(dirs.BIN_DIR, 'vsay-agent'), ['--version'], { encoding: 'utf8' }).trim()).toBe(`vsay-agent ${version}`);
  const unit = readFileSync(join(dirs.UNIT_DIR, 'vsay-agent.service'), 'utf8');
  expect(unit).toContain(`ExecStart=${dirs.BIN_DIR}/vsay-agent run --config /etc/vsay-agent/config.json`);
  // The installed copy's own node-pty, not the repository's.
  const pty = join(dirs.PREFIX, 'lib/node_modules/node-pty');
  expect(existsSync(pty)).toBe(true);
  const echoed = execFileSync(process.execPath, ['-e', `const p = require(${JSON.stringify(pty)}); const t = p.spawn('/bin/echo', ['pty-ok'], {});
    let s = ''; t.onData((d) => { s += d; }); t.onExit(() => { process.stdout.write(s); process.exit(0); });`], { encoding: 'utf8', timeout: 10_000 });
  expect(echoed.trim()).toBe('pty-ok');
});
