/**
 * The commands of a session, from a real bash and a real zsh with the shell integration: what the
 * person ran, with its exit code and where in the output it began — and nothing else (no Ctrl-C'd
 * line, no password typed with echo off, no command inside a nested shell, no mark forged by a program).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentMessage, CommandRecord } from '@webxterm/contracts';
import { expectedShellCommands, playShellScenario, SCENARIO_PASSWORD, ScenarioShell, waitUntil } from '@webxterm/testkit';
import { CommandMarks } from '../src/command-marks';
import { lookupLinuxUser } from '../src/linux-user';
import { SessionTable } from '../src/sessions';

jest.setTimeout(60_000);
const me = lookupLinuxUser(require('node:os').userInfo().username);

describe.each([['bash', '/bin/bash'], ['zsh', '/usr/bin/zsh']] as [ScenarioShell, string][])('%s shell integration', (shell, path) => {
  const sent: AgentMessage[] = [];
  const table = new SessionTable({ ...me, shell: path }, true);
  const commands = () => sent.filter((m) => m.command).map((m) => m.command as CommandRecord);
  const chunks = () => sent.filter((m) => m.output).map((m) => m.output!);
  const text = (cs: { data: Buffer }[]) => Buffer.concat(cs.map((c) => c.data)).toString('utf8');
  afterAll(() => table.closeAll());

  it('lists exactly the commands run, with exit codes, working directory and where their output begins', async () => {
    table.attach((m) => sent.push(m));
    const opened = Date.now();
    table.open({ session_id: 's1', cols: 120, rows: 30, window_bytes: 8 << 20 });
    await playShellScenario(shell, {
      type: (s) => table.get('s1')!.write(Buffer.from(s)),
      output: () => text(chunks()),
      commandCount: () => commands().length,
    });

    const c = commands();
    const expected = expectedShellCommands(shell);
    expect(c.map((x) => [x.command, x.exit_code])).toEqual(expected.map((e) => [typeof e.command === 'string' ? e.command : expect.stringMatching(e.command), e.exitCode]));
    expect(c[0].cwd).toMatch(/^\//);
    expect(c[1].cwd).toBe('/tmp');
    // Each command begins in the chunk that carries its start mark: its output is not before that chunk, and is from it on.
    expected.forEach((e, i) => {
      const startChunk = chunks().find((x) => x.seq === c[i].seq)!;
      expect(startChunk.data.toString('utf8')).toContain('\x1b]633;C;');
      if (!e.prints) return;
      expect(text(chunks().filter((x) => x.seq < c[i].seq))).not.toContain(e.prints);
      expect(text(chunks().filter((x) => x.seq >= c[i].seq))).toContain(e.prints);
    });
    const seqs = c.map((x) => x.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const [i, x] of c.entries()) {
      expect(x.started_at_ms).toBeGreaterThanOrEqual(i ? c[i - 1].ended_at_ms : opened);
      expect(x.ended_at_ms).toBeGreaterThanOrEqual(x.started_at_ms);
    }
    // Typed with echo off: neither in the command log nor in the output.
    expect(JSON.stringify(c)).not.toContain(SCENARIO_PASSWORD);
    expect(text(chunks())).not.toContain(SCENARIO_PASSWORD);
    expect(JSON.stringify(c)).not.toContain('inside-nested; exit');
  });
});

describe.each([['bash', '/bin/bash'], ['zsh', '/usr/bin/zsh']])("%s with the person's history settings (Debian's ignoreboth)", (shell, path) => {
  const home = mkdtempSync(join(tmpdir(), 'agent-home-'));
  writeFileSync(join(home, '.profile'), '. ~/.bashrc\n');
  writeFileSync(join(home, '.bashrc'), 'HISTCONTROL=ignoreboth\n');
  writeFileSync(join(home, '.zshrc'), 'setopt HIST_IGNORE_DUPS HIST_IGNORE_SPACE\n');
  const sent: AgentMessage[] = [];
  const table = new SessionTable({ ...me, shell: path, home }, true);
  const commands = () => sent.filter((m) => m.command).map((m) => m.command as CommandRecord);
  afterAll(() => table.closeAll());

  it('a repeated line keeps its text; a line kept out of the history by a leading space is listed without it', async () => {
    table.attach((m) => sent.push(m));
    table.open({ session_id: 'h1', cols: 120, rows: 30, window_bytes: 8 << 20 });
    const lines = ['echo again', 'echo again', ' echo hidden-line', `echo count-$(${shell === 'bash' ? 'history' : 'fc -ln 1'} | grep -c 'echo again$')`];
    for (const [i, line] of lines.entries()) {
      table.get('h1')!.write(Buffer.from(`${line}\r`));
      await waitUntil(() => commands().length > i, 15_000, `${JSON.stringify(line)} recorded`);
    }
    expect(commands().map((c) => c.command)).toEqual(['echo again', 'echo again', '', lines[3]]);
    // The person's history still holds the repeated line once.
    const out = Buffer.concat(sent.filter((m) => m.output).map((m) => m.output!.data)).toString('utf8');
    expect(out).toContain('count-1');
  });
});

describe.each([['bash', '/bin/bash'], ['zsh', '/usr/bin/zsh']])('%s: the command the shell ends with', (_shell, path) => {
  const sent: AgentMessage[] = [];
  const table = new SessionTable({ ...me, shell: path }, true);
  const commands = () => sent.filter((m) => m.command).map((m) => m.command as CommandRecord);
  afterAll(() => table.closeAll());

  it('`exit 3` is listed, with exit code 3, before the session\'s exit (no mark ever ends it)', async () => {
    table.attach((m) => sent.push(m));
    table.open({ session_id: 'x1', cols: 120, rows: 30, window_bytes: 8 << 20 });
    table.get('x1')!.write(Buffer.from('echo first\r'));
    await waitUntil(() => commands().length === 1, 15_000, 'the first command recorded');
    table.get('x1')!.write(Buffer.from('exit 3\r'));
    await waitUntil(() => sent.some((m) => m.exited), 15_000, 'the shell exited');
    expect(commands().map((c) => [c.command, c.exit_code])).toEqual([['echo first', 0], ['exit 3', 3]]);
    expect(sent.findIndex((m) => m.command?.command === 'exit 3')).toBeLessThan(sent.findIndex((m) => m.exited));
  });
});

describe('marks', () => {
  it('a mark split across chunks is read; one with another nonce is ignored', () => {
    const m = new CommandMarks('n1');
    const stream = Buffer.from('\x1b]633;E;ls -l;n1\x07\x1b]633;C;n1\x07out\x1b]633;E;evil;bad\x07\x1b]633;D;2;n1\x07');
    const found = [];
    for (let i = 0; i < stream.length; i += 5) found.push(...m.feed(stream.subarray(i, i + 5), i + 1, 1000 + i));
    expect(found).toEqual([{ command: 'ls -l', cwd: '', exitCode: 2, seq: 26, startedAt: 1025, endedAt: expect.any(Number) }]);
  });

  it('the command running when the shell exits ends with the shell\'s code; none running, nothing', () => {
    const m = new CommandMarks('n1');
    m.feed(Buffer.from('\x1b]633;E;exit 3;n1\x07\x1b]633;C;n1\x07'), 7, 500);
    expect(m.end(3, 600)).toEqual({ command: 'exit 3', cwd: '', exitCode: 3, seq: 7, startedAt: 500, endedAt: 600 });
    expect(m.end(0)).toBeNull();
    m.feed(Buffer.from('\x1b]633;E;typed but not run;n1\x07'), 8, 700); // Ctrl-C'd before it started
    expect(m.end(130)).toBeNull();
  });
});
