import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';

export interface LinuxUser { name: string; uid: number; gid: number; home: string; shell: string }

const NO_LOGIN = /(nologin|false)$/;

/** Looks the user up with getent (so NSS sources such as LDAP count too). */
export function lookupLinuxUser(name: string): LinuxUser {
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`Linux user ${name} does not exist on this machine`);
  }
  const [user, , uid, gid, , home, shell] = line.split(':');
  return { name: user, uid: Number(uid), gid: Number(gid), home: home && existsSync(home) ? home : '/', shell: shell && !NO_LOGIN.test(shell) ? shell : '/bin/bash' };
}

/** `user` with `shell` (from the agent's configuration) as the shell of its sessions, when one is set. */
export function withShell(user: LinuxUser, shell: string | undefined): LinuxUser {
  if (!shell) return user;
  try {
    accessSync(shell, constants.X_OK);
    if (!shell.startsWith('/') || !statSync(shell).isFile()) throw new Error('not an absolute path to a file');
  } catch {
    throw new Error(`shell ${shell} is not the absolute path of an executable file on this machine`);
  }
  return { ...user, shell };
}

/**
 * How to start processes as `user`: as root, a real uid/gid switch; otherwise only as ourselves.
 * Root as the target is refused unless `allowRoot`.
 */
export function spawnIdentity(user: LinuxUser, allowRoot: boolean): { uid?: number; gid?: number } {
  if (user.uid === 0 && !allowRoot) throw new Error('refusing to run sessions as root: configure another --linux-user or pass --allow-root');
  const me = process.getuid?.() ?? -1;
  if (me === user.uid) return {};
  if (me !== 0) throw new Error(`the agent runs as uid ${me} and cannot switch to ${user.name}: run it as root or as ${user.name}`);
  return { uid: user.uid, gid: user.gid };
}

export function userEnv(user: LinuxUser): Record<string, string> {
  return {
    HOME: user.home, USER: user.name, LOGNAME: user.name, SHELL: user.shell, TERM: 'xterm-256color', LANG: process.env.LANG ?? 'C.UTF-8',
    PATH: user.uid === 0 ? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' : '/usr/local/bin:/usr/bin:/bin',
  };
}
