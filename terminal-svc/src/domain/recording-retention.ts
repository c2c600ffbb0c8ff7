import { z } from 'zod';
import { decide, TERMINAL_STREAM, type AccessClaims } from '@webxterm/contracts';
import { AppError, type Logger } from '@webxterm/kit';
import type { RecordingPolicyRepository } from '../store/recording-policy.repository';

/** No recording outlives the TERMINAL stream's own age limit; an organization may keep them for less. */
export const RECORDING_MAX_DAYS = TERMINAL_STREAM.maxAgeDays;

export const RetentionBody = z.object({ retention_days: z.number().int().min(1).max(RECORDING_MAX_DAYS) }).strict();

export interface RetentionView { retention_days: number; max_days: number; custom: boolean; updated_at: string | null }

export const RecordingDeleted = () => new AppError('not_found', 'session.recording_deleted', 'This recording was deleted by the organization’s retention policy');

/** How long an organization keeps terminal recordings: any member reads it, a company_admin sets it. */
export class RecordingRetention {
  constructor(private readonly repo: RecordingPolicyRepository) {}

  async get(claims: AccessClaims): Promise<RetentionView> {
    const p = await this.repo.scoped(claims.tenant_id).get(claims.tenant_id);
    return { retention_days: p?.retention_days ?? RECORDING_MAX_DAYS, max_days: RECORDING_MAX_DAYS, custom: p !== null, updated_at: p?.updated_at ?? null };
  }

  async set(claims: AccessClaims, body: unknown): Promise<RetentionView> {
    if (claims.role === 'super_admin' || decide(claims, 'organization:update', claims.tenant_id) !== 'allow') {
      throw new AppError('forbidden', 'session.retention_forbidden', 'Only a company_admin sets how long the organization keeps recordings');
    }
    const parsed = RetentionBody.safeParse(body);
    if (!parsed.success) throw new AppError('invalid', 'session.retention_invalid', `retention_days must be an integer from 1 to ${RECORDING_MAX_DAYS}`);
    await this.repo.scoped(claims.tenant_id).set(claims.tenant_id, parsed.data.retention_days, claims.user_id);
    return this.get(claims);
  }
}

/** Deletes the stored output of sessions whose organization's retention has passed, a batch at a time. */
export async function deleteExpiredRecordings(
  repo: RecordingPolicyRepository, deleteStored: (sessionId: string) => Promise<void>, log: Logger, batch = 500,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = await repo.expired(batch);
    if (!ids.length) return deleted;
    for (const id of ids) await deleteStored(id);
    await repo.markDeleted(ids);
    deleted += ids.length;
    log.info({ sessions: ids.length }, 'recordings past their organization’s retention deleted');
    if (ids.length < batch) return deleted;
  }
}
