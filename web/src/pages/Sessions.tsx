import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../api/http';
import type { Machine, SessionRecord } from '../api/types';
import { PageHeader, QueryState } from '../components/ui';
import { SessionTable } from './MachineDetail';

/** Active and past sessions over the machines this person can see (newest first). */
export function Sessions() {
  const machines = useQuery({ queryKey: ['machines'], queryFn: () => api<{ machines: Machine[] }>('/api/machines') });
  const list = machines.data?.machines ?? [];
  const perMachine = useQueries({
    queries: list.slice(0, 50).map((m) => ({
      queryKey: ['machine-sessions', m.agent_id],
      queryFn: () => api<{ sessions: SessionRecord[] }>(`/api/machines/${m.agent_id}/sessions`),
      refetchInterval: 10_000,
    })),
  });
  const names = new Map(list.map((m) => [m.agent_id, m.name || m.agent_id]));
  const all = perMachine.flatMap((q) => q.data?.sessions ?? []).sort((a, b) => b.started_at.localeCompare(a.started_at));
  const active = all.filter((s) => s.status === 'active');
  const past = all.filter((s) => s.status !== 'active');
  const loading = machines.isLoading || perMachine.some((q) => q.isLoading);
  return (
    <section>
      <PageHeader title="Sessions" />
      <QueryState isLoading={loading} error={machines.error ?? perMachine.find((q) => q.error)?.error}>
        <h2>Active</h2>
        <SessionTable sessions={active} showMachine={(s) => names.get(s.agent_id) ?? s.agent_id} empty="No active sessions." />
        <h2>Past</h2>
        <SessionTable sessions={past.slice(0, 200)} showMachine={(s) => names.get(s.agent_id) ?? s.agent_id} />
      </QueryState>
    </section>
  );
}
