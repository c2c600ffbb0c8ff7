import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/http';
import type { CommandLog, Machine } from '../api/types';
import { formatTime, PageHeader, QueryState, since, StatusBadge } from '../components/ui';

type Activity = CommandLog & { machine_name?: string | null };

/** GET /api/dashboard/* (document 000): overview numbers, recent machines, recent commands. */
export function Dashboard() {
  const stats = useQuery({ queryKey: ['dash-stats'], queryFn: () => api<Record<string, unknown>>('/api/dashboard/stats'), refetchInterval: 10_000 });
  const recent = useQuery({ queryKey: ['dash-machines'], queryFn: () => api<{ machines: Machine[] } | Machine[]>('/api/dashboard/recent-machines') });
  const activity = useQuery({ queryKey: ['dash-activity'], queryFn: () => api<{ activities?: Activity[]; logs?: Activity[] } | Activity[]>('/api/dashboard/recent-activity'), refetchInterval: 10_000 });
  const machines = Array.isArray(recent.data) ? recent.data : recent.data?.machines ?? [];
  const acts = Array.isArray(activity.data) ? activity.data : activity.data?.activities ?? activity.data?.logs ?? [];
  const numbers = stats.data ? Object.entries(stats.data).filter(([, v]) => typeof v === 'number') as [string, number][] : [];
  return (
    <section>
      <PageHeader title="Dashboard" />
      <QueryState isLoading={stats.isLoading} error={stats.error} feature="The dashboard">
        <ul className="stat-cards">
          {numbers.map(([k, v]) => <li key={k} className="stat"><span className="stat-value">{v}</span><span className="stat-label">{k.replace(/_/g, ' ')}</span></li>)}
        </ul>
      </QueryState>
      <div className="grid-2">
        <div className="panel">
          <h2>Recent machines</h2>
          <QueryState isLoading={recent.isLoading} error={recent.error} feature="Recent machines">
            {machines.length === 0 ? <p className="empty">No machines yet.</p> : (
              <ul className="plain-list">
                {machines.map((m) => <li key={m.agent_id} className="row-between"><Link to={`/machines/${m.agent_id}`}>{m.name || m.agent_id}</Link><span><StatusBadge status={m.status} /> <span className="muted">{since(m.last_seen)}</span></span></li>)}
              </ul>
            )}
          </QueryState>
        </div>
        <div className="panel">
          <h2>Recent activity</h2>
          <QueryState isLoading={activity.isLoading} error={activity.error} feature="Recent activity">
            {acts.length === 0 ? <p className="empty">No commands yet.</p> : (
              <ul className="plain-list">
                {acts.map((a) => (
                  <li key={a.id}><code>{a.command}</code>{' '}
                    <span className="muted">{a.username} on <Link to={`/machines/${a.agent_id}`}>{a.machine_name ?? a.agent_id}</Link> · exit {a.exit_code ?? '—'} · {formatTime(a.created_at)}</span>
                    {a.session_id && <> · <Link to={`/sessions/${a.session_id}`} aria-label={`Replay the session of ${a.command}`}>replay</Link></>}
                  </li>
                ))}
              </ul>
            )}
          </QueryState>
        </div>
      </div>
    </section>
  );
}
