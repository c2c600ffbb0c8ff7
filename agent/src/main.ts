import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_PATH, newAgentId, readAgentConfig, writeAgentConfig } from './config-file';
import { discoverBridge } from './bridge-address';
import { AgentConnection } from './connection';
import { lookupLinuxUser, spawnIdentity, withShell } from './linux-user';
import { AGENT_VERSION } from './machine-info';
import { SessionTable } from './sessions';

const USAGE = `usage:
  vsay-agent configure --token API_KEY --host URL --linux-user USER [--registration-token T]
                       [--shell PATH] [--bridge HOST:PORT] [--ca-file PEM] [--allow-root] [--config PATH]
  vsay-agent run [--config PATH] [--bridge HOST:PORT]
  vsay-agent --version`;

function log(msg: string, extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), msg, ...extra }));
}

function configure(args: string[]): void {
  const { values } = parseArgs({ args, options: {
    token: { type: 'string' }, host: { type: 'string' }, 'linux-user': { type: 'string' }, 'registration-token': { type: 'string' },
    shell: { type: 'string' }, bridge: { type: 'string' }, 'allow-root': { type: 'boolean' }, config: { type: 'string' }, 'ca-file': { type: 'string' },
  } });
  if (!values.token || !values.host || !values['linux-user']) throw new Error(`--token, --host and --linux-user are required\n${USAGE}`);
  const user = withShell(lookupLinuxUser(values['linux-user']), values.shell);
  if (user.uid === 0 && !values['allow-root']) throw new Error('refusing root as --linux-user without --allow-root');
  const path = values.config ?? DEFAULT_CONFIG_PATH;
  writeAgentConfig(path, {
    api_key: values.token, host: values.host, linux_user: user.name, agent_id: newAgentId(),
    registration_token: values['registration-token'], bridge: values.bridge, allow_root: values['allow-root'] ?? false,
    ca_file: values['ca-file'], shell: values.shell,
  });
  console.log(`configuration written to ${path}; start the agent with \`vsay-agent run\` (or systemctl enable --now vsay-agent)`);
}

async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, bridge: { type: 'string' } } });
  const path = values.config ?? DEFAULT_CONFIG_PATH;
  const config = readAgentConfig(path);
  const user = withShell(lookupLinuxUser(config.linux_user), config.shell);
  spawnIdentity(user, config.allow_root); // fail at start, not at the first session
  const bridge = await discoverBridge(config.host, values.bridge ?? config.bridge);
  const sessions = new SessionTable(user, config.allow_root, config.detached_session_timeout_sec * 1000);
  const conn = new AgentConnection(config, bridge, user, sessions, (c) => writeAgentConfig(path, c), log);
  // Until its registration token is used, the id is a placeholder: the machine's own replaces it at the first connection.
  log('starting', {
    bridge: bridge.addresses, ...(config.registration_token && !config.machine_credential ? { registering: true } : { agent_id: config.agent_id }), linux_user: user.name, shell: user.shell,
  });
  conn.start();
  // The agent holds every PTY of the machine: a fault in one request is logged, never a reason to drop them all.
  process.on('unhandledRejection', (e) => log('unhandled rejection', { err: String((e as Error)?.stack ?? e) }));
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => { conn.stop(); sessions.closeAll(); setTimeout(() => process.exit(0), 200); });
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'configure') return configure(rest);
  if (command === 'run') return run(rest);
  if (command === '--version' || command === 'version') return void console.log(`vsay-agent ${AGENT_VERSION}`);
  console.error(USAGE);
  process.exitCode = 64;
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`vsay-agent: ${(e as Error).message}`);
  process.exit(1);
});
