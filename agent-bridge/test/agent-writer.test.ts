/** Input batching on the bridge's side of an agent stream (fake stream; the real one is in e2e). */
import { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { AGENT_BATCH_MAX_BYTES, type AgentMessage, type BridgeMessage } from '@webxterm/contracts';
import { AgentWriter } from '../src/agent-writer';

function fakeCall() {
  const written: BridgeMessage[] = [];
  const call = Object.assign(new EventEmitter(), { destroyed: false, writableEnded: false, write: (m: BridgeMessage) => { written.push(m); return true; } });
  return { call: call as unknown as grpc.ServerDuplexStream<AgentMessage, BridgeMessage>, written };
}
const nextTurn = () => new Promise<void>((r) => setImmediate(r));
const key = (session_id: string, k: string): BridgeMessage => ({ input: { session_id, data: Buffer.from(k) } });
const describeMessage = (m: BridgeMessage) =>
  m.inputs ? `batch ${m.inputs.chunks.map((c) => `${c.session_id}:${c.data}`).join(' ')}`
    : m.input ? `key ${m.input.session_id}:${m.input.data}` : Object.keys(m).join();

describe('AgentWriter', () => {
  it('sends the keystrokes handled in one go to an agent that reads batches as one message, in order', async () => {
    const { call, written } = fakeCall();
    const w = new AgentWriter(call, true);
    w.send(key('a', '1'));
    w.send(key('b', '2'));
    w.send(key('a', '3'));
    expect(written).toHaveLength(0);
    await nextTurn();
    expect(written.map(describeMessage)).toEqual(['batch a:1 b:2 a:3']);
    w.send(key('c', '4'));
    await nextTurn();
    expect(written.map(describeMessage).slice(1)).toEqual(['key c:4']);
  });

  it('sends the keystrokes so far before any other message (a resize after a key stays after it)', async () => {
    const { call, written } = fakeCall();
    const w = new AgentWriter(call, true);
    w.send(key('a', '1'));
    w.send({ resize: { session_id: 'a', cols: 100, rows: 30 } });
    w.send(key('a', '2'));
    await nextTurn();
    expect(written.map(describeMessage)).toEqual(['key a:1', 'resize', 'key a:2']);
  });

  it('ends a batch before it would pass AGENT_BATCH_MAX_BYTES (a big paste in many sessions at once)', async () => {
    const { call, written } = fakeCall();
    const w = new AgentWriter(call, true);
    for (const id of ['a', 'b', 'c']) w.send({ input: { session_id: id, data: Buffer.alloc(AGENT_BATCH_MAX_BYTES * 0.4, id) } });
    await nextTurn();
    expect(written.map((m) => (m.inputs ? m.inputs.chunks.map((c) => c.session_id).join('') : m.input!.session_id))).toEqual(['ab', 'c']);
  });

  it('sends every keystroke on its own, at once, to an agent that did not say it reads batches', () => {
    const { call, written } = fakeCall();
    const w = new AgentWriter(call, false);
    w.send(key('a', '1'));
    w.send(key('b', '2'));
    expect(written.map(describeMessage)).toEqual(['key a:1', 'key b:2']);
  });
});
