/**
 * One terminal session that exercises the shell integration's limits, typed the same way into a
 * bare agent (agent/test) and through the whole platform (e2e): commands that succeed and fail, a
 * multi-line command, Ctrl-C at a prompt, `less`, a nested bash, a password read with echo off and
 * a program printing a forged mark. `expectedShellCommands` is what the command log must then hold.
 */
import { waitUntil } from './wait';

export type ScenarioShell = 'bash' | 'zsh';

export interface ShellDriver {
  type(text: string): void;
  /** Everything the session printed so far, decoded as UTF-8. */
  output(): string;
  /** How many commands have been reported for the session so far. */
  commandCount(): number | Promise<number>;
}

export interface ExpectedShellCommand {
  command: string | RegExp;
  exitCode: number;
  /** Text the command prints that nothing before it prints: its output begins at or after the command's seq. */
  prints?: string;
}

export const SCENARIO_PASSWORD = 'hunter2-secret-zq';

/** Each shell prompts with `read`'s own option, so the prompt appears only once echo is off. */
const readPassword: Record<ScenarioShell, string> = {
  bash: "read -s -p 'pass''word: ' PW; echo got-${#PW}",
  zsh: "read -s 'PW?pass''word: '; echo got-${#PW}",
};
const FORGED = "printf '\\033]633;E;rm -rf /;0000\\a\\033]633;C;0000\\a\\033]633;D;0;0000\\a'; echo forged";

export function expectedShellCommands(shell: ScenarioShell): ExpectedShellCommand[] {
  return [
    { command: 'cd /tmp && echo hel""lo', exitCode: 0, prints: 'hello' },
    { command: 'false', exitCode: 1 },
    // bash keeps the lines joined with `;`, zsh as typed.
    { command: /^for i in 1 2; ?do\s+echo n\$i;?\s+done$/, exitCode: 0, prints: 'n1' },
    { command: 'less /etc/hostname', exitCode: 0 },
    // The nested shell has no integration: it is one command, and what ran inside it is not listed.
    { command: 'bash --norc --noprofile', exitCode: 7 },
    { command: readPassword[shell], exitCode: 0, prints: `got-${SCENARIO_PASSWORD.length}` },
    { command: FORGED, exitCode: 0, prints: '\x07forged' },
  ];
}

export async function playShellScenario(shell: ScenarioShell, d: ShellDriver, timeoutMs = 15_000): Promise<void> {
  const tail = () => JSON.stringify(d.output().slice(-300));
  const printed = async (text: string, after: number, what: string) =>
    waitUntil(() => d.output().slice(after).includes(text), timeoutMs, () => `${what}; output tail ${tail()}`);
  const recorded = async (n: number, what: string) =>
    waitUntil(async () => (await d.commandCount()) >= n, timeoutMs, () => `${what} recorded (command ${n}); output tail ${tail()}`);

  d.type('cd /tmp && echo hel""lo\r');
  await recorded(1, 'cd && echo');
  d.type('false\r');
  await recorded(2, 'false');
  d.type('for i in 1 2; do\recho n$i\rdone\r');
  await recorded(3, 'the multi-line loop');

  // Ctrl-C at a prompt: the line is dropped and nothing runs. The tty flushes input on Ctrl-C, so
  // the next line is typed only once the new prompt has turned bracketed paste on again. The line
  // itself is typed at the prompt too, not ahead of it (a zsh still drawing it under load re-read the
  // typed-ahead line while the Ctrl-C came, and no prompt followed in 15 s: CI, once).
  await waitUntil(() => {
    const o = d.output();
    const end = o.lastIndexOf('\x1b]633;D;');
    return end >= 0 && o.indexOf('\x1b[?2004h', end) > 0;
  }, timeoutMs, () => `the prompt after the loop; output tail ${tail()}`);
  let at = d.output().length;
  d.type('sleep 100');
  await printed('sleep 100', at, 'the echo of the line to interrupt');
  at = d.output().length;
  d.type('\x03');
  await printed('\x1b[?2004h', at, 'a new prompt after Ctrl-C');

  d.type('less /etc/hostname\r');
  d.type('q');
  await recorded(4, 'less, after q');

  at = d.output().length;
  d.type('bash --norc --noprofile\r');
  await printed('bash-', at, 'the nested shell prompt');
  d.type('echo inside-nested; exit 7\r');
  await recorded(5, 'the nested shell');

  at = d.output().length;
  d.type(`${readPassword[shell]}\r`);
  await printed('password: ', at, 'the password prompt');
  d.type(`${SCENARIO_PASSWORD}\r`);
  await recorded(6, 'read -s');

  d.type(`${FORGED}\r`);
  await recorded(7, 'the forged mark');
}
