import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/http';
import type { Group, Organization, Role, User } from '../api/types';
import { isSuperAdmin, useAuth } from '../auth/AuthProvider';
import { Alert, formatTime, messageOf, PageHeader, QueryState } from '../components/ui';

const SECTIONS = ['Users', 'Groups', 'Roles', 'Organization', 'Organizations'] as const;
type Section = (typeof SECTIONS)[number];

export function Admin() {
  const { user } = useAuth();
  const [section, setSection] = useState<Section>('Users');
  const sections = SECTIONS.filter((s) => s !== 'Organizations' || isSuperAdmin(user));
  return (
    <section>
      <PageHeader title="Administration" />
      <div role="tablist" aria-label="Administration sections" className="tabs tabs-plain">
        {sections.map((s) => (
          <button key={s} type="button" role="tab" id={`admin-tab-${s}`} aria-controls="admin-panel" aria-selected={s === section}
            className={s === section ? 'tab active' : 'tab'} onClick={() => setSection(s)}>{s}</button>
        ))}
      </div>
      <div role="tabpanel" id="admin-panel" aria-labelledby={`admin-tab-${section}`}>
        {section === 'Users' && <Users />}
        {section === 'Groups' && <Groups />}
        {section === 'Roles' && <Roles />}
        {section === 'Organization' && <OwnOrganization />}
        {section === 'Organizations' && <Organizations />}
      </div>
    </section>
  );
}

function Users() {
  const client = useQueryClient();
  const { user: me } = useAuth();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ users: User[] }>('/api/users') });
  const [form, setForm] = useState({ username: '', email: '', password: '', first_name: '', last_name: '', role: 'user' });
  const refresh = () => client.invalidateQueries({ queryKey: ['users'] });
  const create = useMutation({ mutationFn: () => api('/api/users', { body: form }), onSuccess: () => { setForm({ ...form, username: '', email: '', password: '' }); void refresh(); } });
  const setRole = useMutation({ mutationFn: (v: { id: string; role: string }) => api(`/api/users/${v.id}/roles`, { body: { role: v.role } }), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/users/${id}`, { method: 'DELETE' }), onSuccess: refresh });
  const f = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <div className="panel">
      <h2>Users</h2>
      <QueryState isLoading={users.isLoading} error={users.error}>
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">Username</th><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {users.data?.users.map((u) => (
                <tr key={u.id}>
                  <td>{u.username}</td><td>{u.email}</td><td>{[u.first_name, u.last_name].filter(Boolean).join(' ')}</td>
                  <td>
                    <select aria-label={`Role of ${u.username}`} value={u.role} disabled={u.id === me?.id || setRole.isPending}
                      onChange={(e) => setRole.mutate({ id: u.id, role: e.target.value })}>
                      <option value="user">user</option><option value="company_admin">company_admin</option>
                      {isSuperAdmin(me) && <option value="super_admin">super_admin</option>}
                    </select>
                  </td>
                  <td>{formatTime(u.created_at)}</td>
                  <td>{u.id !== me?.id && <button type="button" className="btn btn-danger btn-small" onClick={() => { if (window.confirm(`Delete ${u.username}?`)) remove.mutate(u.id); }}>Delete {u.username}</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryState>
      {(setRole.error || remove.error) && <Alert>{messageOf(setRole.error ?? remove.error)}</Alert>}
      <h3>Create a user</h3>
      <form className="grid-3" onSubmit={(e: FormEvent) => { e.preventDefault(); create.mutate(); }}>
        <label className="field">Username<input required minLength={3} value={form.username} onChange={f('username')} autoComplete="off" /></label>
        <label className="field">Email<input required type="email" value={form.email} onChange={f('email')} autoComplete="off" /></label>
        <label className="field">Initial password<input required type="password" minLength={8} value={form.password} onChange={f('password')} autoComplete="new-password" /></label>
        <label className="field">First name<input required value={form.first_name} onChange={f('first_name')} /></label>
        <label className="field">Last name<input required value={form.last_name} onChange={f('last_name')} /></label>
        <label className="field">Role
          <select value={form.role} onChange={f('role')}><option value="user">user</option><option value="company_admin">company_admin</option></select>
        </label>
        <div><button type="submit" className="btn btn-primary" disabled={create.isPending}>Create user</button></div>
      </form>
      {create.error && <Alert>{messageOf(create.error)}</Alert>}
      {create.isSuccess && <Alert kind="success">User created.</Alert>}
    </div>
  );
}

function Groups() {
  const client = useQueryClient();
  const groups = useQuery({ queryKey: ['groups'], queryFn: () => api<{ groups: Group[] }>('/api/groups') });
  const [name, setName] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const create = useMutation({ mutationFn: () => api('/api/groups', { body: { name } }), onSuccess: () => { setName(''); void client.invalidateQueries({ queryKey: ['groups'] }); } });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/groups/${id}`, { method: 'DELETE' }), onSuccess: () => client.invalidateQueries({ queryKey: ['groups'] }) });
  return (
    <div className="panel">
      <h2>Groups</h2>
      <QueryState isLoading={groups.isLoading} error={groups.error}>
        {groups.data?.groups.length === 0 && <p className="empty">No groups yet.</p>}
        <ul className="plain-list">
          {groups.data?.groups.map((g) => (
            <li key={g.id}>
              <div className="row-between">
                <button type="button" className="btn-link" aria-expanded={open === g.id} onClick={() => setOpen(open === g.id ? null : g.id)}>
                  <strong>{g.name}</strong> <span className="muted">{g.member_count} members · {g.machine_count} machines</span>
                </button>
                <button type="button" className="btn btn-danger btn-small" onClick={() => remove.mutate(g.id)}>Delete group {g.name}</button>
              </div>
              {open === g.id && <GroupDetail group={g} />}
            </li>
          ))}
        </ul>
      </QueryState>
      <form className="form-row" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
        <label className="field">New group name<input required value={name} onChange={(e) => setName(e.target.value)} maxLength={100} /></label>
        <button type="submit" className="btn btn-primary">Create group</button>
      </form>
      {(create.error || remove.error) && <Alert>{messageOf(create.error ?? remove.error)}</Alert>}
    </div>
  );
}

function GroupDetail({ group }: { group: Group }) {
  const client = useQueryClient();
  const members = useQuery({ queryKey: ['group-members', group.id], queryFn: () => api<{ members: User[] }>(`/api/groups/${group.id}/members`) });
  const machines = useQuery({ queryKey: ['group-machines', group.id], queryFn: () => api<{ machine_ids: string[] }>(`/api/groups/${group.id}/machines`) });
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ users: User[] }>('/api/users') });
  const all = useQuery({ queryKey: ['machines'], queryFn: () => api<{ machines: { agent_id: string; machine_id: string; name: string }[] }>('/api/machines') });
  const [userId, setUserId] = useState('');
  const [machineId, setMachineId] = useState('');
  const done = () => { void client.invalidateQueries({ queryKey: ['group-members', group.id] }); void client.invalidateQueries({ queryKey: ['group-machines', group.id] }); void client.invalidateQueries({ queryKey: ['groups'] }); };
  const change = useMutation({
    mutationFn: (v: { path: string; method: string; body?: Record<string, unknown> }) => api(v.path, { method: v.method, body: v.body }),
    onSuccess: done,
  });
  const base = `/api/groups/${group.id}`;
  const nameOf = (id: string) => all.data?.machines.find((m) => m.machine_id === id || m.agent_id === id)?.name ?? id;
  return (
    <div className="subpanel">
      <h3>Members of {group.name}</h3>
      <ul className="plain-list">
        {members.data?.members.map((u) => (
          <li key={u.id} className="row-between">{u.username}
            <button type="button" className="btn btn-small" onClick={() => change.mutate({ path: `${base}/members`, method: 'DELETE', body: { user_id: u.id } })}>Remove {u.username}</button>
          </li>
        ))}
      </ul>
      <form className="form-row" onSubmit={(e) => { e.preventDefault(); if (userId) change.mutate({ path: `${base}/members`, method: 'POST', body: { user_id: userId } }); }}>
        <label className="field">Add member
          <select value={userId} onChange={(e) => setUserId(e.target.value)}><option value="">choose…</option>
            {users.data?.users.map((u) => <option key={u.id} value={u.id}>{u.username}</option>)}</select>
        </label>
        <button type="submit" className="btn">Add</button>
      </form>
      <h3>Machines of {group.name}</h3>
      <ul className="plain-list">
        {machines.data?.machine_ids.map((id) => (
          <li key={id} className="row-between">{nameOf(id)}
            <button type="button" className="btn btn-small" onClick={() => change.mutate({ path: `${base}/machines/${id}`, method: 'DELETE' })}>Remove {nameOf(id)}</button>
          </li>
        ))}
      </ul>
      <form className="form-row" onSubmit={(e) => { e.preventDefault(); if (machineId) change.mutate({ path: `${base}/machines`, method: 'POST', body: { machine_ids: [machineId] } }); }}>
        <label className="field">Add machine
          <select value={machineId} onChange={(e) => setMachineId(e.target.value)}><option value="">choose…</option>
            {all.data?.machines.map((m) => <option key={m.agent_id} value={m.agent_id}>{m.name || m.agent_id}</option>)}</select>
        </label>
        <button type="submit" className="btn">Add</button>
      </form>
      {change.error && <Alert>{messageOf(change.error)}</Alert>}
    </div>
  );
}

function Roles() {
  const roles = useQuery({ queryKey: ['roles'], queryFn: () => api<{ roles: (Role & { scope?: string; permissions?: string[] })[] }>('/api/roles') });
  return (
    <div className="panel">
      <h2>Roles</h2>
      <QueryState isLoading={roles.isLoading} error={roles.error}>
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">Role</th><th scope="col">Scope</th><th scope="col">What it may do</th></tr></thead>
            <tbody>
              {roles.data?.roles.map((r) => (
                <tr key={`${r.scope}-${r.name}`}><td><strong>{r.name}</strong><br /><span className="muted">{r.description}</span></td><td>{r.scope}</td>
                  <td className="wrap mono small">{r.permissions?.join(', ')}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryState>
    </div>
  );
}

function OwnOrganization() {
  const client = useQueryClient();
  const org = useQuery({ queryKey: ['organization'], queryFn: () => api<Organization>('/api/organization') });
  const update = useMutation({
    mutationFn: (otp_enabled: boolean) => api<Organization>('/api/organization', { method: 'PUT', body: { otp_enabled } }),
    onSuccess: (o) => client.setQueryData(['organization'], o),
  });
  return (
    <div className="panel">
      <h2>Organization</h2>
      <QueryState isLoading={org.isLoading} error={org.error}>
        {org.data && (
          <>
            <dl className="facts">
              <div><dt>Name</dt><dd>{org.data.name}</dd></div>
              <div><dt>Id</dt><dd className="mono">{org.data.tenant_id}</dd></div>
              <div><dt>Created</dt><dd>{formatTime(org.data.created_at)}</dd></div>
            </dl>
            <label className="switch">
              <input type="checkbox" checked={org.data.otp_enabled} disabled={update.isPending} onChange={(e) => update.mutate(e.target.checked)} />
              Ask for an emailed one-time code at every browser sign-in
            </label>
            <p className="muted" role="status">{org.data.otp_enabled ? 'One-time codes are on.' : 'One-time codes are off.'}</p>
          </>
        )}
      </QueryState>
      {update.error && <Alert>{messageOf(update.error)}</Alert>}
    </div>
  );
}

function Organizations() {
  const orgs = useQuery({ queryKey: ['organizations'], queryFn: () => api<{ organizations: Organization[] }>('/api/admin/organizations') });
  const [open, setOpen] = useState<string | null>(null);
  const stats = useQuery({
    queryKey: ['org-stats', open],
    queryFn: () => api<Record<string, unknown>>(`/api/admin/organizations/${open}/stats`),
    enabled: open !== null,
  });
  return (
    <div className="panel">
      <h2>Organizations</h2>
      <QueryState isLoading={orgs.isLoading} error={orgs.error}>
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">OTP</th><th scope="col">Created</th><th scope="col">Statistics</th></tr></thead>
            <tbody>
              {orgs.data?.organizations.map((o) => (
                <tr key={o.id}>
                  <td>{o.name}</td><td className="mono">{o.tenant_id}</td><td>{o.otp_enabled ? 'on' : 'off'}</td><td>{formatTime(o.created_at)}</td>
                  <td>
                    <button type="button" className="btn btn-small" aria-expanded={open === o.tenant_id} onClick={() => setOpen(open === o.tenant_id ? null : o.tenant_id)}>Statistics of {o.name}</button>
                    {open === o.tenant_id && stats.data && (
                      <dl className="facts small">{Object.entries(stats.data).filter(([, v]) => typeof v !== 'object').map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{String(v)}</dd></div>)}</dl>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryState>
    </div>
  );
}
