import type { NatsConnection } from '@nats-io/transport-node';
import type { BridgeMessage } from '@webxterm/contracts';
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
});
