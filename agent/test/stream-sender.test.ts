/**
 * Output batching on the agent's stream, on scripted PTYs: the echoes of many sessions in one turn
 * of the event loop leave as one OutputBatch, a lone echo as a plain chunk, and nothing is batched
 * for a bridge that did not welcome `batches`.
 */
import { AGENT_BATCH_MAX_BYTES, type AgentMessage } from '@webxterm/contracts';
import { PtySession } from '../src/pty-session';
import { StreamSender } from '../src/stream-sender';
import { scriptedPty } from './scripted-pty';


const nextTurn = () => new Promise<void>((r) => setImmediate(r));
const describeMessage = (m: AgentMessage) =>
  m.outputs ? `batch ${m.outputs.chunks.map((c) => `${c.session_id}:${c.data}`).join(' ')}`
    : m.output ? `chunk ${m.output.session_id}:${m.output.data}` : Object.keys(m).join();

function stream(batches: boolean) {
  const written: AgentMessage[] = [];
  const sender = new StreamSender((m) => written.push(m));
  sender.batches = batches;
  const ptys = ['a', 'b', 'c'].map((id) => {
    const p = scriptedPty();
    new PtySession(id, p.pty, 1 << 20, sender.send, () => {});
    return p;
  });
  return { sender, ptys, written };
}

describe('StreamSender', () => {
  it('sends the echoes of three sessions in one turn as one batch, in the order they came', async () => {
    const { ptys, written } = stream(true);
    ptys[1].print('b1');
    ptys[0].print('a1');
    ptys[2].print('c1');
    expect(written).toHaveLength(0);
    await nextTurn();
    expect(written.map(describeMessage)).toEqual(['batch b:b1 a:a1 c:c1']);
  });

  it('sends a lone echo as a plain chunk, in the same turn', async () => {
    const { ptys, written } = stream(true);
    ptys[0].print('x');
    await nextTurn();
    expect(written.map(describeMessage)).toEqual(['chunk a:x']);
  });

  it('sends the chunks so far before any other message, so the stream keeps the order of sends', async () => {
    const { sender, written } = stream(true);
    sender.send({ output: { session_id: 'a', seq: 1, data: Buffer.from('1') } });
    sender.send({ output: { session_id: 'b', seq: 1, data: Buffer.from('2') } });
    sender.send({ exited: { session_id: 'a', exit_code: 0, signal: 0, last_seq: 1, bytes: 1 } });
    sender.send({ output: { session_id: 'b', seq: 2, data: Buffer.from('3') } });
    await nextTurn();
    expect(written.map(describeMessage)).toEqual(['batch a:1 b:2', 'exited', 'chunk b:3']);
  });

  it('ends a batch before it would pass AGENT_BATCH_MAX_BYTES (a gRPC message may hold 4 MiB)', async () => {
    const { sender, written } = stream(true);
    const big = (id: string) => ({ output: { session_id: id, seq: 1, data: Buffer.alloc(AGENT_BATCH_MAX_BYTES * 0.4, id) } });
    sender.send(big('a'));
    sender.send(big('b'));
    sender.send(big('c'));
    await nextTurn();
    expect(written.map((m) => (m.outputs ? m.outputs.chunks.map((c) => c.session_id).join('') : m.output!.session_id))).toEqual(['ab', 'c']);
  });

  it('batches nothing for a bridge that did not welcome batches', async () => {
    const { ptys, written } = stream(false);
    ptys[0].print('a1');
    ptys[1].print('b1');
    await nextTurn();
    expect(written.map(describeMessage)).toEqual(['chunk a:a1', 'chunk b:b1']);
  });
});
