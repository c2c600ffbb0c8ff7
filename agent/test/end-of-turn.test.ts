/** Work deferred to the end of the turn: one pass, in order, including what the pass itself defers. */
import { atEndOfTurn } from '../src/end-of-turn';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('atEndOfTurn', () => {
  it('runs what was deferred in one pass, in order, with what the pass defers at its end', async () => {
    const ran: string[] = [];
    atEndOfTurn(() => { ran.push('a'); atEndOfTurn(() => ran.push('c')); });
    atEndOfTurn(() => ran.push('b'));
    expect(ran).toEqual([]);
    await nextTurn();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

});
