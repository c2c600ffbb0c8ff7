import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

export const AGENT_VERSION = '0.1.0';

/** The OS name from /etc/os-release (PRETTY_NAME), or the platform name. */
function osName(): string {
  try {
    if (existsSync('/etc/os-release')) {
      const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
      if (m) return m[1];
    }
  } catch { /* fall through */ }
  return `${os.type()} ${os.release()}`;
}

function ipAddresses(): string[] {
  const ips: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) ips.push(a.address);
  }
  return ips.slice(0, 64);
}

export function machineInfo(linuxUser: string) {
  return {
    agent_version: AGENT_VERSION, hostname: os.hostname(), os: osName(), kernel: os.release(), arch: os.arch(),
    ips: ipAddresses(), linux_user: linuxUser,
  };
}
