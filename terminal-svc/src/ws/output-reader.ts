import { DeliverPolicy } from '@nats-io/jetstream';
import { SessionExit, TERM_HDR, TERMINAL_STREAM, termOutputSubject } from '@webxterm/contracts';
import { jetstream, NatsConnection } from '@webxterm/kit';

export type OutputEvent = { seq: number; kind: 'data'; data: Uint8Array; at: number } | { seq: number; kind: 'exit'; exit: SessionExit; at: number };

/**
 * A session's output in order, from the TERMINAL stream, starting after `afterSeq`. JetStream keeps
 * it for every replica, so a browser resuming on another replica reads exactly what it missed.
 * Duplicates (a chunk re-sent after an agent reconnect) are dropped by seq.
 */
export async function* readOutput(nc: NatsConnection, sessionId: string, afterSeq: number, signal: AbortSignal, follow = true): AsyncGenerator<OutputEvent> {
  const consumer = await jetstream(nc).consumers.get(TERMINAL_STREAM.name, {
    // A single filter subject (not an array) keeps nats-server 2.9 happy.
    filter_subjects: termOutputSubject(sessionId), deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume({ max_bytes: 1 << 20 });
  const stop = () => messages.stop();
  signal.addEventListener('abort', stop, { once: true });
  let last = afterSeq;
  try {
    for await (const m of messages) {
      const seq = Number(m.headers?.get(TERM_HDR.seq));
      if (!Number.isFinite(seq) || seq <= last) {
        if (!follow && m.info.pending === 0) break;
        continue;
      }
      last = seq;
      const at = Number(m.timestampNanos / 1_000_000n);
      if (m.headers?.get(TERM_HDR.kind) === 'exit') {
        yield { seq, kind: 'exit', exit: SessionExit.parse(m.json()), at };
        return;
      }
      yield { seq, kind: 'data', data: m.data, at };
      if (!follow && m.info.pending === 0) break;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    messages.stop();
  }
}
