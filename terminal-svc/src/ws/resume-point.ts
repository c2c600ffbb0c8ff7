import { jetstreamManager } from '@nats-io/jetstream';
import { BATCH_HDR, TERMINAL_STREAM, termRecordSubject } from '@webxterm/contracts';
import { AppError, NatsConnection } from '@webxterm/kit';

/** How long a resume point past the stored output may wait for chunks a browser saw live but the bridge has not stored yet (it batches). */
const STORE_LAG_MS = 2000;

/** The last seq of a session's output in its latest stored batch (0 when none is stored). */
export async function lastStoredSeq(nc: NatsConnection, sessionId: string): Promise<number> {
  let stored;
  try {
    stored = await (await jetstreamManager(nc)).streams.getMessage(TERMINAL_STREAM.name, { last_by_subj: termRecordSubject(sessionId) });
  } catch {
    throw new AppError('unavailable', 'terminal.store_unavailable', 'Terminal output store unavailable, try again');
  }
  const seq = Number(stored?.header?.get(BATCH_HDR.last));
  return Number.isInteger(seq) && seq > 0 ? seq : 0;
}

/**
 * A browser resumes after `lastSeq`: it cannot have seen more than the session produced. Output a
 * browser got live may be stored a moment later, so a point past the end waits up to STORE_LAG_MS
 * before it is refused (a socket resumed there would wait forever for chunks that never come).
 */
export async function checkResumePoint(nc: NatsConnection, sessionId: string, lastSeq: number): Promise<void> {
  if (lastSeq === 0) return;
  const deadline = Date.now() + STORE_LAG_MS;
  for (;;) {
    const last = await lastStoredSeq(nc, sessionId);
    if (lastSeq <= last) return;
    if (Date.now() >= deadline) {
      throw new AppError('invalid', 'terminal.last_seq_beyond_end',
        `last_seq ${lastSeq} is beyond the session's output, which ends at seq ${last}: resume with last_seq ${last} or lower`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
