import { describe, expect, it } from 'vitest';
import type { CommandLog } from '../api/types';
import { placeCommands } from './Replay';

const cmd = (command: string, seq: number | null, offset_ms: number | null): CommandLog => ({
  id: command, agent_id: 'ag', user_id: 'u', username: 'ada', command, output: '', exit_code: 0, duration_ms: 1,
  timed_out: false, truncated: false, created_at: '2026-11-30T00:00:00Z', seq, offset_ms,
} as CommandLog);

describe('commands placed on the recording as markers', () => {
  const cast = [
    '{"version":2,"width":80,"height":24}',
    '[0.1,"o","$ "]',
    '[1.5,"o","ls\\r\\n"]',
    '[3,"o","a b\\r\\n$ "]',
    '',
  ].join('\n');

  it('at the time of the output chunk of their start seq; by offset when there is no seq; API commands left out', () => {
    const { cast: out, placed } = placeCommands(cast, [cmd('uptime', null, 2500), cmd('ls', 2, 9999), cmd('api', null, null)]);
    expect(placed.map((c) => [c.command, c.at])).toEqual([['ls', 1.5], ['uptime', 2.5]]);
    const [header, ...events] = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(header).toEqual({ version: 2, width: 80, height: 24 });
    // A marker goes after the output of the same instant.
    expect(events).toEqual([[0.1, 'o', '$ '], [1.5, 'o', 'ls\r\n'], [1.5, 'm', 'ls'], [2.5, 'm', 'uptime'], [3, 'o', 'a b\r\n$ ']]);
  });

  it("replaces the recording's own markers, so that marker i is the list's i-th command", () => {
    const withMarkers = cast.replace('[1.5,"o","ls\\r\\n"]', '[1.5,"o","ls\\r\\n"]\n[1.5,"m","ls"]');
    expect(withMarkers).toContain('"m"');
    const { cast: out } = placeCommands(withMarkers, [cmd('ls', 2, null), cmd('uptime', null, 2500)]);
    const markers = out.trim().split('\n').slice(1).map((l) => JSON.parse(l)).filter((e) => e[1] === 'm');
    expect(markers).toEqual([[1.5, 'm', 'ls'], [2.5, 'm', 'uptime']]);
  });

  it('a seq past the end of the recording goes to its last chunk', () => {
    expect(placeCommands(cast, [cmd('late', 99, null)]).placed.map((c) => c.at)).toEqual([3]);
  });

  it('leaves a recording without commands as it is', () => {
    expect(placeCommands(cast, [])).toEqual({ cast, placed: [] });
  });
});
