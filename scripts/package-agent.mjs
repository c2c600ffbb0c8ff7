// The agent as a tarball a machine installs with one command:
//
//   node scripts/package-agent.mjs [--out DIR]     → DIR/vsay-agent-<version>-linux-<arch>.tar.gz (default dist/)
//
// Inside, vsay-agent/: lib/vsay-agent.js (the compiled agent, one file, run by the machine's node ≥ 20),
// lib/agent.proto, lib/node_modules/node-pty (the PTY addon: N-API, so any Node ≥ 18 on the same
// OS and CPU loads it; built here for linux-<arch> with glibc), vsay-agent.service and install.sh.
// On the machine, as root:
//
//   tar -xzf vsay-agent-<version>-linux-<arch>.tar.gz -C /tmp && /tmp/vsay-agent/install.sh
//
// install.sh puts it in /opt/vsay-agent, links /usr/local/bin/vsay-agent and installs the systemd
// unit; then `vsay-agent configure …` and `systemctl enable --now vsay-agent`.
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAgent } from './build.mjs';

const ROOT = resolve(import.meta.dirname, '..');

const INSTALL_SH = `#!/bin/sh
# Installs vsay-agent from this folder: /opt/vsay-agent, /usr/local/bin/vsay-agent, the systemd unit.
# PREFIX, BIN_DIR and UNIT_DIR may be set to install elsewhere. Needs node >= 20 on the PATH.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=\${PREFIX:-/opt/vsay-agent}
BIN_DIR=\${BIN_DIR:-/usr/local/bin}
UNIT_DIR=\${UNIT_DIR:-/etc/systemd/system}
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then echo "vsay-agent needs Node.js 20 or newer on the PATH (found: $(node --version 2>/dev/null || echo none))" >&2; exit 1; fi
if [ "$HERE" != "$PREFIX" ]; then
  rm -rf "$PREFIX.new" && mkdir -p "$(dirname "$PREFIX")" && cp -R "$HERE" "$PREFIX.new"
  rm -rf "$PREFIX" && mv "$PREFIX.new" "$PREFIX"
fi
mkdir -p "$BIN_DIR" "$UNIT_DIR"
ln -sf "$PREFIX/lib/vsay-agent.js" "$BIN_DIR/vsay-agent"
sed "s#^ExecStart=.*#ExecStart=$BIN_DIR/vsay-agent run --config /etc/vsay-agent/config.json#" "$PREFIX/vsay-agent.service" > "$UNIT_DIR/vsay-agent.service"
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
echo "installed $("$BIN_DIR/vsay-agent" --version) in $PREFIX"
echo "next: vsay-agent configure --token API_KEY --host URL --linux-user USER --registration-token T"
echo "then: systemctl enable --now vsay-agent"
`;

/** The files of node-pty the agent loads on Linux: its JavaScript and the compiled addon. */
function copyNodePty(to) {
  const from = join(ROOT, 'node_modules/node-pty');
  mkdirSync(to, { recursive: true });
  for (const part of ['package.json', 'LICENSE', 'lib', 'build/Release/pty.node']) cpSync(join(from, part), join(to, part), { recursive: true });
}

export async function packageAgent(outDir = join(ROOT, 'dist')) {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'agent/package.json'), 'utf8'));
  const stage = join(ROOT, '.stack/agent-package');
  const top = join(stage, 'vsay-agent');
  rmSync(stage, { recursive: true, force: true });
  await buildAgent(join(top, 'lib'));
  chmodSync(join(top, 'lib/vsay-agent.js'), 0o755);
  copyNodePty(join(top, 'lib/node_modules/node-pty'));
  cpSync(join(ROOT, 'agent/vsay-agent.service'), join(top, 'vsay-agent.service'));
  writeFileSync(join(top, 'install.sh'), INSTALL_SH, { mode: 0o755 });
  mkdirSync(outDir, { recursive: true });
  const tarball = join(outDir, `vsay-agent-${version}-linux-${process.arch}.tar.gz`);
  const tar = spawnSync('tar', ['-czf', tarball, '--owner=0', '--group=0', '-C', stage, 'vsay-agent'], { stdio: 'inherit' });
  if (tar.status !== 0) throw new Error(`tar exited with ${tar.status}`);
  rmSync(stage, { recursive: true, force: true });
  return tarball;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  packageAgent(values.out ? resolve(values.out) : undefined)
    .then((tarball) => console.log(`packaged ${tarball}`))
    .catch((e) => { console.error(`package-agent: ${e.message}`); process.exit(1); });
}
