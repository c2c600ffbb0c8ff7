import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, qs } from '../api/http';
import type { CommandLog, Grant, Machine, SessionRecord, User } from '../api/types';
import { isAdmin, useAuth } from '../auth/AuthProvider';
import { Alert, formatDuration, formatTime, messageOf, PageHeader, QueryState, since, StatusBadge } from '../components/ui';

export function MachineDetail() {
  const { agentId = '' } = useParams();
  const machine = useQuery({
    queryKey: ['machine', agentId],
    queryFn: () => api<Machine>(`/api/machines/${encodeURIComponent(agentId)}`),
    refetchInterval: 3000,
  });
  const m = machine.data;
  return (
    <section>
      <PageHeader title={m ? m.name || m.agent_id : 'Machine'}>
        {m?.status === 'online' && <Link className="btn btn-primary" to={`/terminal/${agentId}`}>Open terminal</Link>}
      </PageHeader>
      <QueryState isLoading={machine.isLoading} error={machine.error}>
        {m && (
          <>
            <dl className="facts">
              <div><dt>Status</dt><dd><StatusBadge status={m.status} /></dd></div>
              <div><dt>Hostname</dt><dd>{m.hostname ?? '—'}</dd></div>
              <div><dt>OS</dt><dd>{[m.os, m.kernel, m.arch].filter(Boolean).join(' · ') || '—'}</dd></div>
              <div><dt>IP addresses</dt><dd>{m.ip_addresses.join(', ') || '—'}</dd></div>
              <div><dt>Linux user</dt><dd>{m.linux_user ?? '—'}</dd></div>
              <div><dt>Agent</dt><dd>{m.agent_version ?? '—'} <span className="muted mono">{m.agent_id}</span></dd></div>
              <div><dt>Last seen</dt><dd>{m.status === 'online' ? 'now' : since(m.last_seen)}</dd></div>
              <div><dt>Created</dt><dd>{formatTime(m.created_at)}</dd></div>
            </dl>
            <RunCommand agentId={agentId} online={m.status === 'online'} />
            <MachineSessions agentId={agentId} />
            <CommandLogs agentId={agentId} />
            <Access agentId={agentId} />
            <DeleteMachine machine={m} />
          </>
        )}
      </QueryState>
    </section>
  );
}

function RunCommand({ agentId, online }: { agentId: string; online: boolean }) {
  const client = useQueryClient();
  const [command, setCommand] = useState('');
  const run = useMutation({
    mutationFn: (c: string) => api<CommandLog & { duration: number }>(`/api/machines/${agentId}/command`, { body: { command: c } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['logs', agentId] }),
  });
  const submit = (e: FormEvent) => { e.preventDefault(); if (command.trim()) run.mutate(command); };
  return (
    <div className="panel">
      <h2>Run a command</h2>
      <form onSubmit={submit} className="form-row">
        <label className="field grow">Command
          <input className="mono" value={command} onChange={(e) => setCommand(e.target.value)} placeholder="uptime" disabled={!online} />
        </label>
        <button type="submit" className="btn btn-primary" disabled={!online || run.isPending}>{run.isPending ? 'Running…' : 'Run'}</button>
      </form>
      {!online && <p className="muted">The machine must be online to run commands.</p>}
      {run.error && <Alert>{messageOf(run.error)}</Alert>}
      {run.data && (
        <div className="command-result" aria-live="polite">
          <p>Exit code <strong>{run.data.exit_code ?? '—'}</strong> · {formatDuration(run.data.duration_ms)}{run.data.timed_out ? ' · timed out' : ''}{run.data.truncated ? ' · output truncated' : ''}</p>
          <pre className="output">{run.data.output || '(no output)'}</pre>
        </div>
      )}
    </div>
  );
}

function MachineSessions({ agentId }: { agentId: string }) {
  const sessions = useQuery({
    queryKey: ['machine-sessions', agentId],
    queryFn: () => api<{ sessions: SessionRecord[] }>(`/api/machines/${agentId}/sessions`),
    refetchInterval: 5000,
  });
  return (
    <div className="panel">
      <h2>Sessions</h2>
      <QueryState isLoading={sessions.isLoading} error={sessions.error}>
        <SessionTable sessions={sessions.data?.sessions ?? []} />
      </QueryState>
    </div>
  );
}

export function SessionTable({ sessions, showMachine, empty = 'No sessions yet.' }: {
  sessions: SessionRecord[]; showMachine?: (s: SessionRecord) => string; empty?: string;
}) {
  if (sessions.length === 0) return <p className="empty">{empty}</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead><tr>{showMachine && <th scope="col">Machine</th>}<th scope="col">Person</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Status</th><th scope="col">Exit code</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id}>
              {showMachine && <td>{showMachine(s)}</td>}
              <td>{s.username}</td>
              <td>{formatTime(s.started_at)}</td>
              <td>{formatDuration((s.ended_at ? new Date(s.ended_at).getTime() : Date.now()) - new Date(s.started_at).getTime())}</td>
              <td><StatusBadge status={s.status} /></td>
              <td>{s.exit_code ?? '—'}</td>
              <td className="actions">
                <Link to={`/sessions/${s.id}`} aria-label={`Replay session of ${s.username} started ${formatTime(s.started_at)}`}>Replay</Link>
                {s.status === 'active' && <Link to={`/view/${s.agent_id}/${s.id}`} aria-label={`Watch session of ${s.username}`}>Watch</Link>}
                {s.status === 'active' && <EndSession session={s} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Ends a session wherever it runs: its shell and everything started in it are stopped. */
function EndSession({ session: s }: { session: SessionRecord }) {
  const qc = useQueryClient();
  const end = useMutation({
    mutationFn: () => api(`/api/terminal/sessions/${encodeURIComponent(s.id)}`, { method: 'DELETE' }),
    onSettled: () => qc.invalidateQueries(),
  });
  return (
    <>
      <button type="button" className="btn-link" disabled={end.isPending} aria-label={`End session of ${s.username} started ${formatTime(s.started_at)}`}
        onClick={() => { if (window.confirm(`End this session of ${s.username}? Its shell and everything running in it stop.`)) end.mutate(); }}>
        {end.isPending ? 'Ending…' : 'End'}
      </button>
      {end.error && <span role="alert" className="alert alert-error">{messageOf(end.error)}</span>}
    </>
  );
}

function CommandLogs({ agentId }: { agentId: string }) {
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState('');
  const [page, setPage] = useState(1);
  const limit = 20;
  const logs = useQuery({
    queryKey: ['logs', agentId, applied, page],
    queryFn: () => api<{ logs: CommandLog[]; total: number }>(
      `/api/machines/${agentId}/logs${applied ? '/search' : ''}${qs({ q: applied || undefined, page, limit })}`),
  });
  const pages = Math.max(1, Math.ceil((logs.data?.total ?? 0) / limit));
  return (
    <div className="panel">
      <h2>Command log</h2>
      <form role="search" className="form-row" onSubmit={(e) => { e.preventDefault(); setApplied(q.trim()); setPage(1); }}>
        <label className="field grow">Search commands and output
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <button type="submit" className="btn">Search</button>
      </form>
      <QueryState isLoading={logs.isLoading} error={logs.error}>
        {logs.data && logs.data.logs.length === 0 ? <p className="empty">{applied ? 'Nothing matches.' : 'No commands yet.'}</p> : (
          <ul className="log-list">
            {logs.data?.logs.map((l) => (
              <li key={l.id}>
                <details>
                  <summary><code>{l.command}</code> <span className="muted">exit {l.exit_code ?? '—'} · {l.username} · {formatTime(l.created_at)} · {formatDuration(l.duration_ms)}</span></summary>
                  <pre className="output">{l.output || '(no output)'}</pre>
                </details>
              </li>
            ))}
          </ul>
        )}
        {pages > 1 && (
          <nav className="pager" aria-label="Command log pages">
            <button type="button" className="btn" disabled={page <= 1} onClick={() => setPage(page - 1)}>Previous</button>
            <span>Page {page} of {pages}</span>
            <button type="button" className="btn" disabled={page >= pages} onClick={() => setPage(page + 1)}>Next</button>
          </nav>
        )}
      </QueryState>
    </div>
  );
}

function Access({ agentId }: { agentId: string }) {
  const { user } = useAuth();
  const client = useQueryClient();
  const grants = useQuery({
    queryKey: ['access', agentId],
    queryFn: () => api<{ users: Grant[] }>(`/api/machines/${agentId}/access/users`),
  });
  const people = useQuery({ queryKey: ['users'], queryFn: () => api<{ users: User[] }>('/api/users'), enabled: isAdmin(user) });
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState('operator');
  const change = useMutation({
    mutationFn: (v: { action: 'grant' | 'revoke'; user_id: string; username?: string; role?: string }) =>
      api(`/api/machines/${agentId}/access/${v.action}`, { body: { user_id: v.user_id, username: v.username, role: v.role } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['access', agentId] }),
  });
  // Only people who may manage the machine get this section (a 403/404 means: not for you).
  if (grants.error instanceof ApiError && (grants.error.status === 403 || grants.error.status === 404)) return null;
  const candidates = (people.data?.users ?? []).filter((u) => u.id !== user?.id);
  return (
    <div className="panel">
      <h2>Access</h2>
      <QueryState isLoading={grants.isLoading} error={grants.error}>
        {grants.data && grants.data.users.length === 0 ? <p className="empty">Only administrators and the groups holding this machine have access.</p> : (
          <ul className="plain-list">
            {grants.data?.users.map((g) => (
              <li key={g.user_id} className="row-between">
                <span>{g.username ?? g.user_id} <span className="badge">{g.role}</span></span>
                <button type="button" className="btn btn-danger btn-small" disabled={change.isPending}
                  onClick={() => change.mutate({ action: 'revoke', user_id: g.user_id })}>Revoke {g.username ?? ''}</button>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      <form className="form-row" onSubmit={(e) => {
        e.preventDefault();
        const u = candidates.find((c) => c.id === userId);
        if (userId) change.mutate({ action: 'grant', user_id: userId, username: u?.username, role });
      }}>
        {candidates.length > 0 ? (
          <label className="field">Person
            <select value={userId} onChange={(e) => setUserId(e.target.value)} required>
              <option value="">choose…</option>
              {candidates.map((u) => <option key={u.id} value={u.id}>{u.username} ({u.email})</option>)}
            </select>
          </label>
        ) : (
          <label className="field">User id
            <input value={userId} onChange={(e) => setUserId(e.target.value.trim())} required />
          </label>
        )}
        <label className="field">Machine role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="viewer">viewer (watch)</option>
            <option value="operator">operator (type, run)</option>
            <option value="admin">admin (grant, delete)</option>
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={change.isPending}>Grant access</button>
      </form>
      {change.error && <Alert>{messageOf(change.error)}</Alert>}
    </div>
  );
}

function DeleteMachine({ machine }: { machine: Machine }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const del = useMutation({
    mutationFn: () => api(`/api/machines/${machine.agent_id}`, { method: 'DELETE' }),
    onSuccess: async () => { await client.invalidateQueries({ queryKey: ['machines'] }); navigate('/machines', { replace: true }); },
  });
  return (
    <div className="panel panel-danger">
      <h2>Delete this machine</h2>
      <p>The agent is disconnected and its terminals close. Recordings and logs stay in the audit trail.</p>
      {!confirming ? (
        <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>Delete machine</button>
      ) : (
        <div className="row">
          <button type="button" className="btn btn-danger" disabled={del.isPending} onClick={() => del.mutate()}>Yes, delete {machine.name}</button>
          <button type="button" className="btn" onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      )}
      {del.error && <Alert>{messageOf(del.error)}</Alert>}
    </div>
  );
}
