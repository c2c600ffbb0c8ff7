import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/http';
import type { User } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { Alert, CopyButton, formatTime, messageOf, PageHeader, QueryState } from '../components/ui';

type Profile = User & { avatar_url?: string | null; avatar?: string | null };

/** GET /api/profile (document 000), falling back to /api/users/me while the profile endpoints are missing. */
export function Profile() {
  const { user } = useAuth();
  const profile = useQuery({
    queryKey: ['profile'],
    queryFn: async () => {
      try { return { p: await api<Profile | { user: Profile }>('/api/profile'), full: true }; } catch (e) {
        if (e instanceof ApiError && e.unavailable) return { p: await api<Profile>('/api/users/me'), full: false };
        throw e;
      }
    },
  });
  const raw = profile.data?.p;
  const p: Profile | undefined = raw && 'user' in raw && typeof raw.user === 'object' ? raw.user : (raw as Profile | undefined);
  const [newKey, setNewKey] = useState<string | null>(null);
  const regen = useMutation({
    mutationFn: () => api<{ api_key: string }>('/api/profile/regenerate-api-key', { method: 'POST' }),
    onSuccess: (r) => setNewKey(r.api_key),
  });
  const [pw, setPw] = useState({ current_password: '', new_password: '' });
  const change = useMutation({ mutationFn: () => api('/api/profile/reset-password', { body: pw }), onSuccess: () => setPw({ current_password: '', new_password: '' }) });
  const [avatar, setAvatar] = useState('');
  const upload = useMutation({ mutationFn: () => api('/api/profile/upload-avatar', { body: { avatar_url: avatar } }) });

  return (
    <section>
      <PageHeader title="Profile" />
      <QueryState isLoading={profile.isLoading} error={profile.error}>
        {profile.data && !profile.data.full && <Alert kind="info">The profile service is not available on this server yet: showing your account, without API-key, password and avatar changes.</Alert>}
        {p && (
          <dl className="facts">
            <div><dt>Username</dt><dd>{p.username}</dd></div>
            <div><dt>Email</dt><dd>{p.email}</dd></div>
            <div><dt>Name</dt><dd>{[p.first_name, p.last_name].filter(Boolean).join(' ') || '—'}</dd></div>
            <div><dt>Organization</dt><dd>{p.tenant_name ?? user?.tenant_name} <span className="muted mono">{p.tenant_id}</span></dd></div>
            <div><dt>Role</dt><dd>{p.role}</dd></div>
            <div><dt>Member since</dt><dd>{formatTime(p.created_at)}</dd></div>
          </dl>
        )}
      </QueryState>
      <div className="panel">
        <h2>API key for agents</h2>
        <p className="muted">Agents authenticate with this key. A new key replaces the old one: agents configured with the old key must be configured again.</p>
        {newKey ? (
          <div>
            <Alert kind="warning">This is the only time the key is shown. Copy it now.</Alert>
            <pre className="command"><code>{newKey}</code></pre>
            <CopyButton text={newKey} label="Copy key" />
          </div>
        ) : (
          <button type="button" className="btn" disabled={regen.isPending} onClick={() => { if (window.confirm('Replace your API key?')) regen.mutate(); }}>Generate a new API key</button>
        )}
        {regen.error && <Alert>{regen.error instanceof ApiError && regen.error.unavailable ? 'Generating API keys is not available on this server yet.' : messageOf(regen.error)}</Alert>}
      </div>
      <div className="panel">
        <h2>Change password</h2>
        <form className="form-row" onSubmit={(e: FormEvent) => { e.preventDefault(); change.mutate(); }}>
          <label className="field">Current password<input type="password" required autoComplete="current-password" value={pw.current_password} onChange={(e) => setPw({ ...pw, current_password: e.target.value })} /></label>
          <label className="field">New password<input type="password" required minLength={8} autoComplete="new-password" value={pw.new_password} onChange={(e) => setPw({ ...pw, new_password: e.target.value })} /></label>
          <button type="submit" className="btn btn-primary" disabled={change.isPending}>Change password</button>
        </form>
        {change.isSuccess && <Alert kind="success">Password changed.</Alert>}
        {change.error && <Alert>{change.error instanceof ApiError && change.error.unavailable ? 'Changing the password is not available on this server yet.' : messageOf(change.error)}</Alert>}
      </div>
      <div className="panel">
        <h2>Avatar</h2>
        <form className="form-row" onSubmit={(e: FormEvent) => { e.preventDefault(); upload.mutate(); }}>
          <label className="field grow">Image address<input type="url" required value={avatar} onChange={(e) => setAvatar(e.target.value)} placeholder="https://…" /></label>
          <button type="submit" className="btn" disabled={upload.isPending}>Save avatar</button>
        </form>
        {upload.isSuccess && <Alert kind="success">Avatar saved.</Alert>}
        {upload.error && <Alert>{upload.error instanceof ApiError && upload.error.unavailable ? 'Avatars are not available on this server yet.' : messageOf(upload.error)}</Alert>}
      </div>
    </section>
  );
}
