import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, qs } from '../api/http';
import type { AuditPage, ChainVerification } from '../api/types';
import { isSuperAdmin, useAuth } from '../auth/AuthProvider';
import { Alert, formatTime, messageOf, PageHeader, QueryState, StatusBadge } from '../components/ui';

interface Filters { from: string; to: string; user: string; action: string; result: string; resource: string; tenant_id: string }
const EMPTY: Filters = { from: '', to: '', user: '', action: '', result: '', resource: '', tenant_id: '' };

const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The audit trail: filters, cursor pages, newest first, and the hash-chain check. */
export function Audit() {
  const { user } = useAuth();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const tenants = useQuery({
    queryKey: ['audit-tenants'],
    queryFn: () => api<{ tenants: { tenant_id: string; events: number }[] }>('/api/audit/tenants'),
    enabled: isSuperAdmin(user),
  });
  const page = useQuery({
    queryKey: ['audit', filters, cursor],
    queryFn: () => api<AuditPage>(`/api/audit${qs({
      from: iso(filters.from), to: iso(filters.to), user: filters.user, action: filters.action, result: filters.result,
      resource: filters.resource, tenant_id: filters.tenant_id, limit: 50, cursor,
    })}`),
  });
  const verify = useMutation({
    mutationFn: () => api<ChainVerification>(`/api/audit/verify${qs({ tenant_id: filters.tenant_id || undefined })}`),
  });
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const apply = (e: FormEvent) => { e.preventDefault(); setFilters(draft); setCursors([null]); };

  return (
    <section>
      <PageHeader title="Audit">
        <button type="button" className="btn" onClick={() => verify.mutate()} disabled={verify.isPending}>Verify chain</button>
      </PageHeader>
      {verify.data && (
        <Alert kind={verify.data.ok ? 'success' : 'error'}>
          {verify.data.ok ? `The chain of ${verify.data.tenant_id} is intact: ${verify.data.checked} events checked.`
            : `The chain of ${verify.data.tenant_id} is BROKEN after ${verify.data.checked} events (first broken: ${JSON.stringify(verify.data.first_broken)}).`}
        </Alert>
      )}
      {verify.error && <Alert>{messageOf(verify.error)}</Alert>}
      <form className="filters" onSubmit={apply} aria-label="Audit filters">
        <label className="field">From<input type="datetime-local" value={draft.from} onChange={set('from')} /></label>
        <label className="field">To<input type="datetime-local" value={draft.to} onChange={set('to')} /></label>
        <label className="field">Person (id or name)<input value={draft.user} onChange={set('user')} /></label>
        <label className="field">Action<input value={draft.action} onChange={set('action')} placeholder="e.g. auth.login" /></label>
        <label className="field">Result
          <select value={draft.result} onChange={set('result')}>
            <option value="">any</option><option value="success">success</option><option value="failure">failure</option><option value="denied">denied</option>
          </select>
        </label>
        <label className="field">Resource<input value={draft.resource} onChange={set('resource')} /></label>
        {isSuperAdmin(user) && (
          <label className="field">Organization
            <select value={draft.tenant_id} onChange={set('tenant_id')}>
              <option value="">all</option>
              {tenants.data?.tenants.map((t) => <option key={t.tenant_id} value={t.tenant_id}>{t.tenant_id} ({t.events})</option>)}
            </select>
          </label>
        )}
        <div className="row"><button type="submit" className="btn btn-primary">Apply</button>
          <button type="button" className="btn" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); setCursors([null]); }}>Clear</button></div>
      </form>
      <QueryState isLoading={page.isLoading} error={page.error} feature="The audit log">
        {page.data && page.data.events.length === 0 ? <p className="empty">No events match.</p> : (
          <div className="table-wrap">
            <table className="table" data-testid="audit-table">
              <thead><tr><th scope="col">Time</th><th scope="col">Person</th><th scope="col">Action</th><th scope="col">Result</th><th scope="col">Resource</th><th scope="col">IP</th></tr></thead>
              <tbody>
                {page.data?.events.map((e) => (
                  <tr key={e.id}>
                    <td>{formatTime(e.at)}</td>
                    <td>{e.actor.username ?? e.actor.user_id ?? '—'}</td>
                    <td className="mono">{e.action}</td>
                    <td><StatusBadge status={e.result} />{e.status ? <span className="muted"> {e.status}</span> : null}</td>
                    <td className="mono wrap">{e.resource ?? '—'}</td>
                    <td className="mono">{e.client_ip ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Audit pages">
          <button type="button" className="btn" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
          <span>Page {cursors.length}</span>
          <button type="button" className="btn" disabled={!page.data?.next_cursor} onClick={() => setCursors([...cursors, page.data!.next_cursor])}>Older</button>
        </nav>
      </QueryState>
    </section>
  );
}
