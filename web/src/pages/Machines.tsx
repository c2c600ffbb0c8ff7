import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/http';
import { knownApiKey } from '../auth/session';
import type { CreatedMachine, Group, Machine } from '../api/types';
import { Alert, CopyButton, messageOf, PageHeader, QueryState, since, StatusBadge } from '../components/ui';

const PAGE_SIZE = 25;
/** How often the list asks again: status changes show without a reload. */
export const MACHINE_POLL_MS = 3000;

export function Machines() {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const [group, setGroup] = useState('');
  const [page, setPage] = useState(0);
  const [adding, setAdding] = useState(false);
  const list = useQuery({
    queryKey: ['machines'],
    queryFn: () => api<{ machines: Machine[]; total: number }>('/api/machines'),
    refetchInterval: MACHINE_POLL_MS,
  });
  const groups = useQuery({ queryKey: ['groups'], queryFn: () => api<{ groups: Group[] }>('/api/groups'), retry: false });
  const groupMachines = useQuery({
    queryKey: ['group-machines', group],
    queryFn: () => api<{ machine_ids: string[] }>(`/api/groups/${group}/machines`),
    enabled: group !== '',
  });

  const filtered = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const inGroup = group && groupMachines.data ? new Set(groupMachines.data.machine_ids) : null;
    return (list.data?.machines ?? []).filter((m) =>
      (!needle || [m.name, m.hostname, m.os, m.agent_id, ...(m.ip_addresses ?? [])].some((v) => v?.toLowerCase().includes(needle)))
      && (!status || m.status === status)
      && (!inGroup || inGroup.has(m.machine_id) || inGroup.has(m.agent_id)));
  }, [list.data, q, status, group, groupMachines.data]);
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
  const shown = filtered.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);

  return (
    <section>
      <PageHeader title="Machines">
        <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>Add machine</button>
      </PageHeader>
      {adding && <AddMachine onClose={() => setAdding(false)} />}
      <div className="filters" role="search">
        <label className="field field-inline">Search
          <input type="search" value={q} placeholder="name, hostname, IP" onChange={(e) => { setQ(e.target.value); setPage(0); }} />
        </label>
        <label className="field field-inline">Status
          <select value={status} onChange={(e) => { setStatus(e.target.value); setPage(0); }}>
            <option value="">any</option>
            <option value="online">online</option>
            <option value="offline">offline</option>
            <option value="pending">pending</option>
          </select>
        </label>
        {groups.data && groups.data.groups.length > 0 && (
          <label className="field field-inline">Group
            <select value={group} onChange={(e) => { setGroup(e.target.value); setPage(0); }}>
              <option value="">any</option>
              {groups.data.groups.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
            </select>
          </label>
        )}
      </div>
      <QueryState isLoading={list.isLoading} error={list.error}>
        {filtered.length === 0 ? (
          <p className="empty">{list.data?.machines.length ? 'No machine matches these filters.' : 'No machines yet. Add one to get its agent command.'}</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Machines, {filtered.length} in all</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col" className="hide-narrow">Hostname</th><th scope="col" className="hide-narrow">OS</th><th scope="col" className="hide-narrow">Last seen</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {shown.map((m) => (
                  <tr key={m.agent_id} data-agent-id={m.agent_id}>
                    <td><Link to={`/machines/${m.agent_id}`}>{m.name || m.agent_id}</Link></td>
                    <td><StatusBadge status={m.status} /></td>
                    <td className="hide-narrow">{m.hostname ?? '—'}</td>
                    <td className="hide-narrow">{m.os ?? '—'}</td>
                    <td className="hide-narrow">{m.status === 'online' ? 'now' : since(m.last_seen)}</td>
                    <td>{m.status === 'online' && <Link className="btn btn-small" to={`/terminal/${m.agent_id}`} aria-label={`Open a terminal on ${m.name}`}>Terminal</Link>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 && (
          <nav className="pager" aria-label="Pages">
            <button type="button" className="btn" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
            <span>Page {page + 1} of {pages}</span>
            <button type="button" className="btn" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>Next</button>
          </nav>
        )}
      </QueryState>
    </section>
  );
}

/** Create a pending machine, show its agent command, and follow it until it comes online. */
function AddMachine({ onClose }: { onClose(): void }) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [linuxUser, setLinuxUser] = useState('ubuntu');
  const [created, setCreated] = useState<CreatedMachine | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const live = useQuery({
    queryKey: ['machine', created?.agent_id],
    queryFn: () => api<Machine>(`/api/machines/${created!.agent_id}`),
    enabled: created !== null,
    refetchInterval: (q) => (q.state.data?.status === 'online' ? false : 2000),
  });
  const status = live.data?.status ?? created?.status;
  const key = knownApiKey();
  const command = created ? (key ? created.command.replace('YOUR_API_KEY', key) : created.command) : '';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const m = await api<CreatedMachine>('/api/machines', { body: { name: name.trim() || undefined, linux_user: linuxUser.trim() } });
      setCreated(m);
      void client.invalidateQueries({ queryKey: ['machines'] });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel" role="region" aria-labelledby="add-machine-title">
      <div className="row-between">
        <h2 id="add-machine-title">Add a machine</h2>
        <button type="button" className="btn" onClick={onClose}>Close</button>
      </div>
      {!created ? (
        <form onSubmit={submit} className="form-row">
          {error && <Alert>{error}</Alert>}
          <label className="field">Name
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} placeholder="web-1" />
          </label>
          <label className="field">Linux user the terminals run as
            <input value={linuxUser} onChange={(e) => setLinuxUser(e.target.value)} required pattern="[a-z_][a-z0-9_\-]{0,31}" />
          </label>
          <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Creating…' : 'Create'}</button>
        </form>
      ) : (
        <div>
          <p>
            Run this on the machine, as root, once the agent is installed there (the agent package from{' '}
            <code>npm run package:agent</code>: see the README, &ldquo;Installing the agent on a machine&rdquo;). The Linux
            user <code>{linuxUser.trim()}</code> must exist on it. The agent dials out to this platform; no port is opened:
          </p>
          <pre className="command" data-testid="agent-command"><code>{command}</code></pre>
          {command.includes('YOUR_API_KEY') && <p className="muted">Replace YOUR_API_KEY with your agents' API key (make one on your Profile page).</p>}
          <div className="row">
            <CopyButton text={command} label="Copy command" />
            <span className="status-line" role="status" aria-live="polite">
              Status: <StatusBadge status={status ?? 'pending'} />
              {status === 'online' ? ' — connected.' : ' — waiting for the agent…'}
            </span>
          </div>
          {status === 'online' && (
            <p><Link className="btn btn-primary" to={`/terminal/${created.agent_id}`}>Open a terminal</Link> <Link to={`/machines/${created.agent_id}`}>Machine details</Link></p>
          )}
        </div>
      )}
    </div>
  );
}
