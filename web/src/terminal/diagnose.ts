import { api, ApiError } from '../api/http';
import type { Machine } from '../api/types';
import type { Diagnosis } from './connection';

/** Why a terminal socket was refused before its handshake: the WebSocket API hides the HTTP status, the REST API tells. */
export async function diagnose(agentId: string, sessionId: string | undefined): Promise<Diagnosis> {
  try {
    const m = await api<Machine>(`/api/machines/${encodeURIComponent(agentId)}`);
    if (m.status !== 'online') return { kind: 'offline' };
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return { kind: 'refused', reason: 'This machine does not exist, or you have no access to it.' };
    if (e instanceof ApiError && e.status === 401) return { kind: 'refused', reason: 'Your session has ended. Sign in again.' };
    return { kind: 'retry' };
  }
  if (sessionId) {
    try {
      await api(`/api/terminal/sessions/${encodeURIComponent(sessionId)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return { kind: 'refused', reason: 'This session has ended or is not yours to join.' };
      if (e instanceof ApiError && e.status === 403) return { kind: 'refused', reason: 'You may watch this session but not type into it.' };
    }
  }
  return { kind: 'retry' };
}

export function wsOrigin(): string {
  return `${window.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${window.location.host}`;
}
