import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CommandMarks } from './command-marks';

/** agent/shell of the repository, or its copy beside a compiled bundle (scripts/build.mjs). */
const SHELL_DIR = existsSync(join(__dirname, 'shell')) ? join(__dirname, 'shell') : join(__dirname, '..', 'shell');

/**
 * How a session's shell starts. bash and zsh get the shell integration (the person's own startup
 * files still run, as for a login shell) and a fresh nonce; any other shell starts as a plain
 * login shell, and its session is recorded but its commands are not listed.
 */
export class ShellIntegration {
  private dir: string | null = null;

  launch(shell: string, home: string): { args: string[]; env: Record<string, string>; marks: CommandMarks | null } {
    const name = basename(shell);
    if (name !== 'bash' && name !== 'zsh') return { args: ['-l'], env: {}, marks: null };
    const nonce = randomBytes(16).toString('hex');
    const marks = new CommandMarks(nonce);
    if (name === 'bash') return { args: ['--init-file', join(this.files(), 'bash-integration.sh'), '-i'], env: { WEBXTERM_NONCE: nonce }, marks };
    return {
      args: ['-l'], marks,
      env: { WEBXTERM_NONCE: nonce, ZDOTDIR: join(this.files(), 'zsh'), WEBXTERM_USER_ZDOTDIR: home },
    };
  }

  /** A copy every user can read (the shell runs as the configured user, the agent as root). */
  private files(): string {
    if (!this.dir) {
      const dir = mkdtempSync(join(tmpdir(), 'vsay-agent-'));
      cpSync(SHELL_DIR, dir, { recursive: true });
      for (const p of [dir, join(dir, 'zsh')]) chmodSync(p, 0o755);
      for (const f of ['bash-integration.sh', 'zsh/.zshenv', 'zsh/.zprofile', 'zsh/.zshrc']) chmodSync(join(dir, f), 0o644);
      this.dir = dir;
    }
    return this.dir;
  }
}
