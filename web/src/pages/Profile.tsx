import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, authHeaders } from '../api/http';
import type { User } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { rememberApiKey } from '../auth/session';
import { Alert, CopyButton, formatTime, messageOf, PageHeader, QueryState } from '../components/ui';

type Profile = User & { avatar_url?: string | null; api_key_prefix?: string; api_key_created_at?: string };

/** An image of the API (it needs the token, so no plain <img src>): fetched, shown from a blob. */
function AuthImage({ src, alt }: { src: string; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    void fetch(src, { headers: authHeaders() }).then((r) => (r.ok ? r.blob() : null)).then((b) => {
      if (b) { made = URL.createObjectURL(b); setUrl(made); }
    }).catch(() => undefined);
    return () => { if (made) URL.revokeObjectURL(made); };
  }, [src]);
  return url ? <img className="avatar" src={url} alt={alt} width={96} height={96} /> : null;
}

async function uploadAvatar(file: File): Promise<{ avatar_url: string }> {
  const res = await fetch('/api/profile/upload-avatar', { method: 'POST', headers: { ...authHeaders(), 'content-type': file.type || 'application/octet-stream' }, body: file });
  const data = (await res.json().catch(() => ({}))) as { avatar_url?: string; error?: string };
  if (!res.ok || !data.avatar_url) throw new ApiError(res.status, data.error ?? `Upload failed (HTTP ${res.status})`);
  return { avatar_url: data.avatar_url };
}

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
    // The add-machine command uses the key from now on: the one from sign-in stopped working.
    onSuccess: (r) => { setNewKey(r.api_key); rememberApiKey(r.api_key); },
  });
  const client = useQueryClient();
  const [pw, setPw] = useState({ current_password: '', new_password: '' });
  const change = useMutation({
    mutationFn: () => api<{ message: string }>('/api/profile/reset-password', { body: pw }),
    onSuccess: () => setPw({ current_password: '', new_password: '' }),
  });
  const upload = useMutation({ mutationFn: uploadAvatar, onSuccess: () => client.invalidateQueries({ queryKey: ['profile'] }) });

  return (
    <section>
      <PageHeader title="Profile" />
      <QueryState isLoading={profile.isLoading} error={profile.error}>
        {profile.data && !profile.data.full && <Alert kind="info">The profile service is not available on this server yet: showing your account, without API-key, password and avatar changes.</Alert>}
        {p?.avatar_url && <AuthImage src={p.avatar_url} alt={`Avatar of ${p.username}`} />}
        {p && (
          <dl className="facts">
            <div><dt>Username</dt><dd>{p.username}</dd></div>
            <div><dt>Email</dt><dd>{p.email}</dd></div>
            <div><dt>Name</dt><dd>{[p.first_name, p.last_name].filter(Boolean).join(' ') || '—'}</dd></div>
            <div><dt>Organization</dt><dd>{p.tenant_name ?? user?.tenant_name} <span className="muted mono">{p.tenant_id}</span></dd></div>
            <div><dt>Role</dt><dd>{p.role}</dd></div>
            <div><dt>Member since</dt><dd>{formatTime(p.created_at)}</dd></div>
            {p.api_key && <div><dt>API key</dt><dd className="mono">{p.api_key}{p.api_key_created_at ? <span className="muted"> · made {formatTime(p.api_key_created_at)}</span> : null}</dd></div>}
          </dl>
        )}
      </QueryState>
      <Invitations />
      <div className="panel">
        <h2>API key for agents</h2>
        <p className="muted">This key registers new machines. A new key replaces the old one; machines already registered keep working, because each holds a credential of its own.</p>
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
        {change.data && <Alert kind="success">{change.data.message}</Alert>}
        {change.error && <Alert>{change.error instanceof ApiError && change.error.unavailable ? 'Changing the password is not available on this server yet.' : messageOf(change.error)}</Alert>}
      </div>
      <div className="panel">
        <h2>Avatar</h2>
        <label className="field">Upload an image (PNG, JPEG or WebP)
          <input type="file" accept="image/png,image/jpeg,image/webp" disabled={upload.isPending}
            onChange={(e) => { const f = e.target.files?.[0]; if (f) upload.mutate(f); e.target.value = ''; }} />
        </label>
        {upload.isSuccess && <Alert kind="success">Avatar saved.</Alert>}
        {upload.error && <Alert>{upload.error instanceof ApiError && upload.error.unavailable ? 'Avatars are not available on this server yet.' : messageOf(upload.error)}</Alert>}
      </div>
    </section>
  );
}

interface Invitation { id: string; tenant_id: string; tenant_name: string; role: string; invited_by?: string; created_at: string }

/** Invitations of this person to other organizations (GET/POST/DELETE /api/users/me/invitations). */
function Invitations() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['invitations'], queryFn: () => api<{ invitations: Invitation[] }>('/api/users/me/invitations'), retry: false });
  const answer = useMutation({
    mutationFn: (v: { id: string; accept: boolean }) => api<{ message: string }>(`/api/users/me/invitations/${v.id}${v.accept ? '/accept' : ''}`, { method: v.accept ? 'POST' : 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['invitations'] }),
  });
  if (list.error || !list.data || (list.data.invitations.length === 0 && !answer.data)) return null;
  return (
    <div className="panel">
      <h2>Invitations</h2>
      {answer.data && <Alert kind="success">{answer.data.message}</Alert>}
      {answer.error && <Alert>{messageOf(answer.error)}</Alert>}
      <ul className="plain-list">
        {list.data.invitations.map((i) => (
          <li key={i.id} className="row-between">
            <span><strong>{i.tenant_name}</strong> <span className="muted">{i.tenant_id} · as {i.role} · {formatTime(i.created_at)}</span></span>
            <span className="row">
              <button type="button" className="btn btn-primary btn-small" disabled={answer.isPending} onClick={() => answer.mutate({ id: i.id, accept: true })}>Accept invitation to {i.tenant_name}</button>
              <button type="button" className="btn btn-small" disabled={answer.isPending} onClick={() => answer.mutate({ id: i.id, accept: false })}>Decline</button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
