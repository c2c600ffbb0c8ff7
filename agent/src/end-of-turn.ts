/**
 * Work deferred to the end of the current turn of the event loop (its check phase), all of it in
 * one pass: what is deferred while the pass runs runs in the same pass, after what was there. The
 * PTYs' interactive flushes and the stream's output batch use it, so every session's echo of one
 * turn leaves in one message, at once.
 */
const queue: (() => void)[] = [];

export function atEndOfTurn(fn: () => void): void {
  queue.push(fn);
  if (queue.length === 1) setImmediate(runQueue);
}

function runQueue(): void {
  let next = 0;
  try {
    while (next < queue.length) queue[next++]();
  } finally {
    // A callback that threw is gone; what it left waiting runs in the next turn, not never.
    queue.splice(0, next);
    if (queue.length) setImmediate(runQueue);
  }
}
