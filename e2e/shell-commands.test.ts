/**
 * The commands of a session through the whole platform (gateway → terminal-svc → agent-bridge → a
 * real agent → machine-svc → GET /api/sessions/:id), for a machine whose sessions run bash and one
 * configured to run zsh: exactly the commands run, their exit codes, their place in the recording,
 * and no trace of a password typed with echo off.
 */
import { expectedShellCommands, playShellScenario, SCENARIO_PASSWORD, ScenarioShell, waitUntil } from '@webxterm/testkit';
import { TermClient } from './lib/term-client';
import { Account, TerminalStack } from './lib/terminal-stack';

jest.setTimeout(120_000);
const stack = new TerminalStack();
let admin: Account;
const machines: Partial<Record<ScenarioShell, string>> = {};

const get = async (path: string) => {
  const r = await stack.api(0, 'GET', path, undefined, admin.token);
  expect(r.status).toBe(200);
  return r.body;
};

beforeAll(async () => {
  await stack.start();
  admin = await stack.signup();
  machines.bash = await stack.onlineMachine(admin, 'bash-1');
  machines.zsh = await stack.onlineMachine(admin, 'zsh-1', 'nobody', '/usr/bin/zsh');
}, 120_000);

afterAll(async () => { await stack.stop(); }, 60_000);

describe.each(['bash', 'zsh'] as ScenarioShell[])('a %s session', (shell) => {
  it('lists exactly the commands run, with exit codes and their place in the recording, and no password', async () => {
    const agentId = machines[shell]!;
    const t = await TermClient.open(stack.wsUrl(0, agentId, admin.token));
    await playShellScenario(shell, {
      type: (s) => t.type(s),
      output: () => t.text(),
      commandCount: async () => (await get(`/api/sessions/${t.sessionId}`)).commands.length,
    });
    const { commands } = await get(`/api/sessions/${t.sessionId}`);
    const expected = expectedShellCommands(shell);
    expect(commands.map((c: any) => [c.command, c.exit_code, c.source])).toEqual(
      expected.map((e) => [typeof e.command === 'string' ? e.command : expect.stringMatching(e.command), e.exitCode, 'terminal']));
    expect(commands[1]).toMatchObject({ session_id: t.sessionId, cwd: '/tmp', agent_id: agentId, username: admin.username });

    // Each command is a marker at its offset, just before the output chunk it started in.
    // The output reaches the recording's stream by its own path: read it once it holds the last command's chunk.
    let recording = '';
    let events: [number, string, string][] = [];
    await waitUntil(async () => {
      const cast = await fetch(`${stack.gateways[0].url}/api/terminal/sessions/${t.sessionId}/recording`, { headers: { authorization: `Bearer ${admin.token}` } });
      recording = await cast.text();
      events = recording.trim().split('\n').slice(1).map((l) => JSON.parse(l));
      return events.filter((e) => e[1] === 'm').length >= commands.length;
    }, 15_000, 'every command a marker in the recording');
    const markers = events.flatMap((e, i) => (e[1] === 'm' ? [i] : []));
    expect(markers.map((i) => events[i][2])).toEqual(commands.map((c: any) => c.command.slice(0, 200)));
    const printed = (from: number, to: number) => events.slice(from, to).filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    markers.forEach((at, k) => {
      const startedIn = events.slice(at + 1).find((e) => e[1] === 'o')!;
      const before = events.slice(0, at).filter((e) => e[1] === 'o');
      // The offset lies between the chunk before and the chunk the command started in (clocks of one machine; stream timestamps come a little later).
      expect(commands[k].offset_ms).toBeLessThanOrEqual(startedIn[0] * 1000 + 5);
      expect(commands[k].offset_ms).toBeGreaterThanOrEqual((before.at(-1)?.[0] ?? 0) * 1000 - 500);
      expect(events[at][0]).toBeCloseTo(commands[k].offset_ms / 1000, 3);
      const prints = expected[k].prints;
      if (!prints) return;
      expect(printed(0, at)).not.toContain(prints);
      expect(printed(at, events.length)).toContain(prints);
    });

    // The password was typed with echo off: it is in no command, log, search result or recording.
    const logs = JSON.stringify(await get(`/api/machines/${agentId}/logs`));
    expect(logs).toContain('bash --norc --noprofile');
    const search = JSON.stringify(await get(`/api/machines/${agentId}/logs/search?q=${encodeURIComponent(SCENARIO_PASSWORD.slice(0, 7))}`));
    for (const text of [JSON.stringify(commands), logs, search, recording, t.text()]) expect(text).not.toContain(SCENARIO_PASSWORD);
    t.close();
  });
});
