import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CommandMarks } from './command-marks';

const BASH_SCRIPT = join(__dirname, '..', 'shell', 'bash-integration.sh');

/**
 * How a session's shell starts: bash gets the shell integration (its own startup files still run,
 * as for a login shell) and a fresh nonce; any other shell starts as a plain login shell, and the
 * whole session is then one unlisted stretch of output.
 */
export class ShellIntegration {
  private script: string | null = null;

  launch(shell: string): { args: string[]; env: Record<string, string>; marks: CommandMarks | null } {
    if (basename(shell) !== 'bash') return { args: ['-l'], env: {}, marks: null };
    const nonce = randomBytes(16).toString('hex');
    return { args: ['--init-file', this.scriptPath(), '-i'], env: { WEBXTERM_NONCE: nonce }, marks: new CommandMarks(nonce) };
  }

  /** A copy every user can read (the shell runs as the configured user, the agent as root). */
  private scriptPath(): string {
    if (!this.script) {
      const dir = mkdtempSync(join(tmpdir(), 'vsay-agent-'));
      chmodSync(dir, 0o755);
      this.script = join(dir, 'bash-integration.sh');
      copyFileSync(BASH_SCRIPT, this.script);
      chmodSync(this.script, 0o644);
    }
    return this.script;
  }
}
