import { unpackInputFrame } from '@webxterm/contracts';
import { AgentReconnects, INPUT_KEEP, InputLedger } from '../src/ws/input-ledger';

const texts = (frames: Buffer[]) => frames.map((f) => unpackInputFrame(f)!.data.toString());

describe('InputLedger: an owner socket numbers its keystrokes and keeps the recent ones', () => {
  it('frames carry the socket\'s writer id and 1, 2, 3 …, and the bytes unchanged', () => {
    const ledger = new InputLedger();
    const bytes = Buffer.from('é─😀\x1b[A', 'utf8');
    const frames = [ledger.frame(bytes), ledger.frame(Buffer.from('\r'))].map((f) => unpackInputFrame(f)!);
    expect(frames.map((f) => [f.writer, f.seq])).toEqual([[ledger.writer, 1], [ledger.writer, 2]]);
    expect(frames[0].data.equals(bytes)).toBe(true);
    expect(ledger.writer).toBeGreaterThan(0);
    expect(new InputLedger().writer).not.toBe(ledger.writer);
  });

  it('keeps the last INPUT_KEEP.frames frames, at most INPUT_KEEP.bytes, typed within INPUT_KEEP.ms', () => {
    let now = 1_000_000;
    const ledger = new InputLedger(() => now);
    for (let i = 0; i < INPUT_KEEP.frames + 10; i++) ledger.frame(Buffer.from(`k${i}`));
    const kept = texts(ledger.recent());
    expect(kept).toHaveLength(INPUT_KEEP.frames);
    expect(kept[kept.length - 1]).toBe(`k${INPUT_KEEP.frames + 9}`);
    ledger.frame(Buffer.alloc(INPUT_KEEP.bytes - 1, 'p'));
    expect(texts(ledger.recent()).map((t) => t.length)).toEqual([INPUT_KEEP.bytes - 1]);
    ledger.frame(Buffer.from('q'));
    expect(texts(ledger.recent()).map((t) => t.length)).toEqual([INPUT_KEEP.bytes - 1, 1]);
    ledger.frame(Buffer.from('r'));
    expect(texts(ledger.recent())).toEqual(['q', 'r']);
    now += INPUT_KEEP.ms - 1;
    ledger.frame(Buffer.from('late'));
    now += 2;
    expect(texts(ledger.recent())).toEqual(['late']);
  });

  it('the kept frames keep their numbers after older ones are dropped, bytes unchanged', () => {
    const ledger = new InputLedger();
    const typed = Array.from({ length: 200 }, (_, i) => Buffer.from(`${i}é😀`.repeat(1 + (i % 7))));
    for (const t of typed) ledger.frame(t);
    const kept = ledger.recent().map((f) => unpackInputFrame(f)!);
    expect(kept.map((f) => f.seq)).toEqual(Array.from({ length: INPUT_KEEP.frames }, (_, i) => 200 - INPUT_KEEP.frames + 1 + i));
    expect(kept.every((f) => f.data.equals(typed[f.seq - 1]) && f.writer === ledger.writer)).toBe(true);
  });

  it('a frame too short or numbered 0 is not a keystroke frame', () => {
    expect(unpackInputFrame(Buffer.from('ls\r'))).toBeNull();
    expect(unpackInputFrame(Buffer.alloc(12))).toBeNull();
  });
});

describe('AgentReconnects', () => {
  it('calls the sockets of the agent that came back, until they stop watching', () => {
    const r = new AgentReconnects();
    const calls: string[] = [];
    const stopA = r.watch('agent-a', () => calls.push('a1'));
    r.watch('agent-a', () => calls.push('a2'));
    r.watch('agent-b', () => calls.push('b'));
    r.reconnected('agent-a');
    stopA();
    r.reconnected('agent-a');
    r.reconnected('agent-c');
    expect(calls).toEqual(['a1', 'a2', 'a2']);
  });
});
