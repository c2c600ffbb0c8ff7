import { InputOrder, INPUT_GAP_WAIT_MS } from '../src/input-order';

const frame = (writer: number, seq: number, text: string) => ({ writer, seq, data: Buffer.from(text) });

describe('InputOrder: each keystroke frame typed once, in its writer order', () => {
  let typed: string[];
  let order: InputOrder;
  beforeEach(() => { typed = []; order = new InputOrder((d) => typed.push(d.toString())); });
  afterEach(() => { order.stop(); jest.useRealTimers(); });

  it('types frames in order and drops those sent again after a reconnect', () => {
    for (const [seq, t] of [[1, 'l'], [2, 's'], [3, '\r']] as const) order.receive(frame(7, seq, t));
    for (const [seq, t] of [[1, 'l'], [2, 's'], [3, '\r'], [4, 'p'], [5, 'w']] as const) order.receive(frame(7, seq, t)); // the replay
    expect(typed.join('')).toBe('ls\rpw');
  });

  it('a frame after a missing one waits for it, then both go in order', () => {
    order.receive(frame(7, 1, 'a'));
    order.receive(frame(7, 3, 'c'));
    order.receive(frame(7, 4, 'd'));
    expect(typed.join('')).toBe('a');
    order.receive(frame(7, 2, 'b'));
    expect(typed.join('')).toBe('abcd');
  });

  it('a missing frame that never comes holds the later ones INPUT_GAP_WAIT_MS, not for good; it is dropped if it comes after', () => {
    jest.useFakeTimers();
    order.receive(frame(7, 1, 'a'));
    order.receive(frame(7, 4, 'd'));
    order.receive(frame(7, 3, 'c'));
    jest.advanceTimersByTime(INPUT_GAP_WAIT_MS - 1);
    expect(typed.join('')).toBe('a');
    jest.advanceTimersByTime(1);
    expect(typed.join('')).toBe('acd');
    order.receive(frame(7, 2, 'b'));
    order.receive(frame(7, 5, 'e'));
    expect(typed.join('')).toBe('acde');
  });

  it('writers (owner sockets) are numbered apart: a second tab does not make the first one\'s replay look new', () => {
    order.receive(frame(1, 1, 'a'));
    order.receive(frame(2, 1, 'X'));
    order.receive(frame(1, 2, 'b'));
    order.receive(frame(2, 2, 'Y'));
    for (const f of [frame(1, 1, 'a'), frame(1, 2, 'b'), frame(2, 1, 'X'), frame(2, 2, 'Y')]) order.receive(f);
    expect(typed.join('')).toBe('aXbY');
  });

  it('unnumbered frames (an older bridge) are typed as they come', () => {
    order.receive({ data: Buffer.from('x') });
    order.receive({ data: Buffer.from('x'), writer: 0, seq: 0 });
    expect(typed).toEqual(['x', 'x']);
  });

  it('a session that ended types nothing held', () => {
    jest.useFakeTimers();
    order.receive(frame(7, 2, 'b'));
    order.stop();
    jest.advanceTimersByTime(INPUT_GAP_WAIT_MS * 2);
    expect(typed).toEqual([]);
  });
});
