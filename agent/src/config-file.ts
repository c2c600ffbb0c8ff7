import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export const DEFAULT_CONFIG_PATH = '/etc/vsay-agent/config.json';

/** What `vsay-agent configure` writes and `vsay-agent run` reads. It holds the API key: mode 0600. */
export const AgentConfigSchema = z.object({
  /** The API key (`vsk_…`) of a user of the organization: it only registers the machine. */
  api_key: z.string().min(1),
  /** The platform URL people open in the browser; the agent asks it where the bridge listens. */
  host: z.string().url(),
  /** PTYs and commands run as this Linux user. */
  linux_user: z.string().regex(/^[a-z_][a-z0-9_-]*\$?$/i, 'not a Linux user name'),
  /** This machine's agent id: random at configure time, replaced by the platform's at registration. */
  agent_id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  /** This machine's own credential (`vmc_…`), issued by the platform at registration; the agent connects with it. */
  machine_credential: z.string().optional(),
  /** One-time token of a machine created in the console; dropped once the credential is saved. */
  registration_token: z.string().optional(),
  /** `host:port` of agent-bridge, overriding what the platform says (odd networks, tests). */
  bridge: z.string().optional(),
  /** PEM file of the CA that signed the bridge's certificate, when it is not a public one. */
  ca_file: z.string().optional(),
  /** The shell of terminal sessions (an absolute path); the Linux user's login shell when absent. */
  shell: z.string().regex(/^\//, 'not an absolute path').optional(),
  /** Running PTYs as root must be asked for explicitly. */
  allow_root: z.boolean().default(false),
  /** A session with no browser of its owner attached for this long is closed (its shell gets SIGHUP). */
  detached_session_timeout_sec: z.number().int().min(10).default(3600),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

export function newAgentId(): string {
  return `ag_${randomBytes(10).toString('hex')}`;
}

export function readAgentConfig(path: string): AgentConfig {
  if (!existsSync(path)) throw new Error(`no configuration at ${path}: run \`vsay-agent configure\` first`);
  const parsed = AgentConfigSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`invalid configuration in ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Writes atomically (temp file + rename) with mode 0600 in a 0700 folder. */
export function writeAgentConfig(path: string, config: z.input<typeof AgentConfigSchema>): void {
  const value = AgentConfigSchema.parse(config);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
