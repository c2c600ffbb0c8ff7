import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAgentConfig, writeAgentConfig } from '../src/config-file';
import { runCommand } from '../src/exec';
import { lookupLinuxUser, spawnIdentity, withShell } from '../src/linux-user';

const root = lookupLinuxUser('root');
const req = (command: string, timeout_ms = 5000, max_output_bytes = 1024) => ({ request_id: 'r', command, timeout_ms, max_output_bytes });

describe('vsay-agent configure: the config file', () => {
  it('is written with mode 0600 and read back', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'agent-')), 'sub', 'config.json');
    writeAgentConfig(path, { api_key: 'vsk_x', host: 'http://localhost:8080', linux_user: 'root', agent_id: 'ag_12345678', allow_root: true });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readAgentConfig(path)).toMatchObject({ api_key: 'vsk_x', agent_id: 'ag_12345678' });
    expect(JSON.parse(readFileSync(path, 'utf8')).registration_token).toBeUndefined();
  });
});

describe('linux user', () => {
  it('refuses root unless allowed', () => {
    expect(() => spawnIdentity(root, false)).toThrow(/refusing to run sessions as root/);
    expect(spawnIdentity(root, true)).toEqual({});
  });

  it("takes the configured shell instead of the login shell, when it is an executable file's absolute path", () => {
    expect(withShell(root, undefined)).toBe(root);
    expect(withShell(root, '/bin/sh')).toEqual({ ...root, shell: '/bin/sh' });
    for (const bad of ['sh', '/etc/passwd', '/tmp', '/no/such/shell']) expect(() => withShell(root, bad)).toThrow(/not the absolute path of an executable file/);
  });
});

describe('runCommand', () => {
  it('returns output and exit code', async () => {
    expect(await runCommand(req('echo hi; exit 5'), root, true)).toMatchObject({ exit_code: 5, output: Buffer.from('hi\n'), timed_out: false });
  });

  it('kills a command at its timeout', async () => {
    const t = Date.now();
    const r = await runCommand(req('sleep 30', 300), root, true);
    expect(r.timed_out).toBe(true);
    expect(Date.now() - t).toBeLessThan(3000);
  });

  it('kills a command whose output passes the cap and keeps exactly the cap', async () => {
    const r = await runCommand(req('yes', 5000, 10_000), root, true);
    expect(r).toMatchObject({ truncated: true, timed_out: false });
    expect(r.output.length).toBe(10_000);
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot('switches uid/gid for real when running as root', async () => {
    const nobody = lookupLinuxUser('nobody');
    const r = await runCommand(req('id -u; id -g'), nobody, false);
    expect(r.output.toString()).toBe(`${nobody.uid}\n${nobody.gid}\n`);
  });
});
