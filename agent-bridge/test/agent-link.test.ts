import type { NatsConnection } from '@nats-io/transport-node';
import { type BridgeMessage, decodeOutputBatch, termOutputSubject } from '@webxterm/contracts';
import { createLogger } from '@webxterm/kit';
import { AgentLink } from '../src/agent-link';
import type { AgentWriter } from '../src/agent-writer';

/** A NATS connection that accepts subscriptions and publishes and does nothing with them. */
const idleNats = { subscribe: () => ({ unsubscribe: () => undefined }), publish: () => undefined, options: {} } as unknown as NatsConnection;
const log = createLogger('agent-link-test', 'silent');

describe('AgentLink', () => {
  it('a session the agent opens after the open timed out (the browser got a 504) is closed at once, not left to a shell nobody can reach', async () => {
    const sent: BridgeMessage[] = [];
    const link = new AgentLink('ag_link_test_1', 't1', { send: (m: BridgeMessage) => sent.push(m) } as unknown as AgentWriter, idleNats, log, { maxCommands: 1 });
    const sessionId = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    await expect(link.openSession(sessionId, 80, 24, 1 << 20, 20)).rejects.toMatchObject({ code: 'terminal.open_timeout' });
    link.onAgentMessage({ kind: 'opened', opened: { session_id: sessionId, pid: 42, error: '' } } as never, () => undefined);
    expect(sent).toEqual([{ open: expect.objectContaining({ session_id: sessionId }) }, { close: { session_id: sessionId } }]);
    // One that opened in time is not closed.
    const other = 'bbbbbbbbbbbbbbbbbbbbbbbb';
    const opened = link.openSession(other, 80, 24, 1 << 20, 5000);
    link.onAgentMessage({ kind: 'opened', opened: { session_id: other, pid: 43, error: '' } } as never, () => undefined);
    await expect(opened).resolves.toBe(43);
    expect(sent.filter((m) => m.close)).toHaveLength(1);
    link.close();
  });

  it('a chunk the agent sends again after a reconnect is recorded when the agent read it (held_ms before now), a live one now', () => {
    const published: { subject: string; data: Uint8Array }[] = [];
    const nats = { ...idleNats, publish: (subject: string, data: Uint8Array) => published.push({ subject, data }) } as unknown as NatsConnection;
    const link = new AgentLink('ag_link_test_2', 't1', { send: () => undefined } as unknown as AgentWriter, nats, log, { maxCommands: 1 });
    const sessionId = 'cccccccccccccccccccccccc';
    link.watchSession(sessionId);
    const before = Date.now();
    link.onAgentMessage({ kind: 'output', output: { session_id: sessionId, seq: 1, data: Buffer.from('kept'), held_ms: 5000 } } as never, () => undefined);
    link.onAgentMessage({ kind: 'output', output: { session_id: sessionId, seq: 2, data: Buffer.from('live'), held_ms: 0 } } as never, () => undefined);
    const after = Date.now();
    const [kept, live] = published.filter((p) => p.subject === termOutputSubject(sessionId)).map((p) => decodeOutputBatch(p.data, null)[0]);
    expect(kept.at).toBeGreaterThanOrEqual(before - 5000);
    expect(kept.at).toBeLessThanOrEqual(after - 5000);
    expect(live.at).toBeGreaterThanOrEqual(before);
    link.close();
  });
});
