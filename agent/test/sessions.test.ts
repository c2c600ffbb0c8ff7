import type { AgentMessage } from '@webxterm/contracts';
import { lookupLinuxUser } from '../src/linux-user';
import { waitUntil } from '@webxterm/testkit';
import { SessionTable } from '../src/sessions';
const asRoot = process.getuid?.() === 0 ? it : it.skip;

describe('SessionTable', () => {
  asRoot('spawns the PTY as the configured user (a real uid switch from root)', async () => {
    const nobody = lookupLinuxUser('nobody');
    const table = new SessionTable(nobody, false);
    let out = '';
    table.attach((m: AgentMessage) => { if (m.output) out += m.output.data.toString(); });
    table.open({ session_id: 's-nobody', cols: 80, rows: 24, window_bytes: 1 << 20 });
    table.get('s-nobody')!.write(Buffer.from('echo "uid=$(id -u)"\r'));
    await waitUntil(() => out.includes(`uid=${nobody.uid}`), 5000, () => `uid=${nobody.uid} in ${JSON.stringify(out)}`);
    table.closeAll();
  });

  it('refuses root as the target without --allow-root', () => {
    const table = new SessionTable(lookupLinuxUser('root'), false);
    expect(() => table.open({ session_id: 's-root', cols: 80, rows: 24, window_bytes: 65536 })).toThrow(/refusing/);
  });

  it('re-announces live sessions and replays them through a new stream', async () => {
    const table = new SessionTable(lookupLinuxUser('root'), true);
    let before = '';
    table.attach((m) => { if (m.output) before += m.output.data.toString(); });
    table.open({ session_id: 's-live', cols: 80, rows: 24, window_bytes: 1 << 20 });
    table.get('s-live')!.write(Buffer.from('echo survived\r'));
    // The output line, after a newline or after the shell integration's mark (not the echo of the command).
    await waitUntil(() => /[\n\x07]survived\r\n/.test(before), 5000, () => `the command's output in ${JSON.stringify(before)}`);
    table.detach();
    expect(table.live()).toEqual([expect.objectContaining({ session_id: 's-live', acked_seq: 0 })]);
    let replayed = '';
    table.attach((m) => { if (m.output) replayed += m.output.data.toString(); });
    expect(replayed).toContain('survived');
    table.closeAll();
  });
});

describe('detached sessions', () => {
  it('a session whose owner has been away longer than the timeout is closed; an attended one is not', async () => {
    const table = new SessionTable(lookupLinuxUser('root'), true, 60_000);
    const exits: string[] = [];
    table.attach((m) => { if (m.exited) exits.push(m.exited.session_id); });
    table.open({ session_id: 'away', cols: 80, rows: 24, window_bytes: 65536 });
    table.open({ session_id: 'here', cols: 80, rows: 24, window_bytes: 65536 });
    table.get('away')!.lastAttachedAt = Date.now() - 120_000;
    table.closeDetached();
    await waitUntil(() => exits.includes('away'), 5000, 'the session left alone closed');
    expect(exits).toEqual(['away']);
    table.closeAll();
  });
});
