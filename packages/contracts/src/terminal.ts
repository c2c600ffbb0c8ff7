import { z } from 'zod';
import { domainEvent, StreamDefinition, streamSubjects } from './events';
import { defineRpc } from './rpc';
import { subject, SUBJECT_VERSION } from './subjects';

/** The terminal's subject domain: session events, terminal-svc's RPCs and the terminal data. */
const TERM = 'term';
type TermDataKind = 'in' | 'out' | 'ctl' | 'rec';
/** Terminal data: `term.v1.<in|out|ctl|rec>.<session>` (the session id in the place of the name). */
const termData = (kind: TermDataKind, sessionId: string): string => subject(TERM, SUBJECT_VERSION, kind, sessionId);

/** A session ended on the agent (durable: terminal-svc records exit code and bytes from it). */
export const SessionEnded = domainEvent({
  domain: TERM, name: 'ended', tokens: (e) => [e.session_id],
  schema: z.object({
    session_id: z.string(), agent_id: z.string(), exit_code: z.number().int(), signal: z.number().int(),
    bytes: z.number().int(), at: z.string().datetime(),
  }),
});

/**
 * The recording of every session, kept by JetStream: the replay buffer any terminal-svc replica
 * resumes from, and the asciicast export. Live output travels on core NATS only
 * (`termOutputSubject`); the bridge stores it in batches on `termRecordSubject` (output-batch.ts)
 * and lets the agent drop a chunk only once its batch is stored.
 */
export const TERMINAL_STREAM: StreamDefinition = {
  name: 'TERMINAL',
  subjects: [`${TERM}.${SUBJECT_VERSION}.rec.>`, ...streamSubjects(SessionEnded)],
  duplicateWindowSec: 120,
  maxAgeDays: 30,
};

/**
 * Live output of one session (core NATS, not stored): each message is one record of the batch format
 * (`packOutputRecords`: kind, seq, time, bytes; the exit's bytes are JSON `SessionExit`).
 */
export function termOutputSubject(sessionId: string): string {
  return termData('out', sessionId);
}
/** The stored output of one session: batches of records (output-batch.ts). */
export function termRecordSubject(sessionId: string): string {
  return termData('rec', sessionId);
}
/** Keystrokes for one session, browser → agent: numbered frames (`packInputFrame`, input-frame.ts). */
export function termInputSubject(sessionId: string): string {
  return termData('in', sessionId);
}
/** Control for one session: JSON `TermControl`, terminal-svc → bridge. */
export function termControlSubject(sessionId: string): string {
  return termData('ctl', sessionId);
}

export const TermControl = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resize'), cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) }),
  /** Every chunk up to `seq` reached the browser: the agent may drop them and read more. */
  z.object({ type: z.literal('credit'), seq: z.number().int().min(0) }),
  z.object({ type: z.literal('close') }),
  /** Chunks after `seq` never reached the stream (NATS was away): the agent sends them again from its ledger. */
  z.object({ type: z.literal('resend'), seq: z.number().int().min(0) }),
]);
export type TermControl = z.infer<typeof TermControl>;

export const SessionExit = z.object({ exit_code: z.number().int(), signal: z.number().int(), bytes: z.number().int(), seq: z.number().int() });
export type SessionExit = z.infer<typeof SessionExit>;

export const SessionRecord = z.object({
  id: z.string(),
  agent_id: z.string(),
  machine_id: z.string(),
  tenant_id: z.string(),
  user_id: z.string(),
  username: z.string(),
  linux_user: z.string().nullable(),
  status: z.enum(['active', 'closed']),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  bytes_out: z.number().int(),
  cols: z.number().int(),
  rows: z.number().int(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

/** Sessions of a machine (machine-svc asks terminal-svc, the owner of session records). */
export const ListMachineSessions = defineRpc({
  domain: TERM, name: 'sessions_list',
  request: z.object({ tenant_id: z.string(), agent_id: z.string(), active_only: z.boolean() }),
  response: z.object({ sessions: z.array(SessionRecord) }),
});

export const GetSession = defineRpc({
  domain: TERM, name: 'session_get',
  request: z.object({ tenant_id: z.string(), session_id: z.string() }),
  response: z.object({ session: SessionRecord.nullable() }),
});

/** Open terminals of an organization, on these machines only when `agent_ids` is given (the dashboard asks). */
export const CountActiveSessions = defineRpc({
  domain: TERM, name: 'sessions_count_active',
  request: z.object({ tenant_id: z.string(), agent_ids: z.array(z.string().max(64)).max(100_000).nullable() }),
  response: z.object({ active: z.number().int() }),
});
