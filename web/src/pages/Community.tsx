import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { api, authHeaders, qs } from '../api/http';
import { useAuth } from '../auth/AuthProvider';
import { Alert, formatTime, messageOf, PageHeader, QueryState, StatusBadge } from '../components/ui';

const Markdown = lazy(() => import('../components/Markdown').then((m) => ({ default: m.Markdown })));

interface Issue { id: string; title: string; body: string; tags: string[]; status: string; author_id: string; author_username: string; accepted_fix_id: string | null; fixes_count: number; created_at: string }
interface Fix { id: string; body: string; author_id: string; author_username: string; likes: number; liked_by_me: boolean; accepted: boolean; created_at: string }

/** The community board (document 000, Community): questions, fixes, likes, the accepted fix, images. */
export function Community() {
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState('');
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [writing, setWriting] = useState(false);
  const issues = useQuery({
    queryKey: ['issues', applied, status],
    queryFn: () => api<{ issues: Issue[]; total: number }>(`/api/community/issues${qs({ q: applied, status, limit: 50 })}`),
  });
  return (
    <section>
      <PageHeader title="Community">
        <button type="button" className="btn btn-primary" onClick={() => setWriting(true)}>Ask a question</button>
      </PageHeader>
      {writing && <NewIssue onDone={(id) => { setWriting(false); if (id) setOpen(id); }} />}
      <form className="filters" role="search" onSubmit={(e) => { e.preventDefault(); setApplied(q.trim()); }}>
        <label className="field field-inline">Search<input type="search" value={q} onChange={(e) => setQ(e.target.value)} /></label>
        <label className="field field-inline">Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}><option value="">any</option><option value="open">open</option><option value="solved">solved</option></select>
        </label>
        <button type="submit" className="btn">Search</button>
      </form>
      <QueryState isLoading={issues.isLoading} error={issues.error} feature="The community board">
        {issues.data?.issues.length === 0 && <p className="empty">No questions yet.</p>}
        <ul className="plain-list">
          {issues.data?.issues.map((i) => (
            <li key={i.id} className="issue">
              <button type="button" className="btn-link" aria-expanded={open === i.id} onClick={() => setOpen(open === i.id ? null : i.id)}>
                <strong>{i.title}</strong>
              </button>{' '}
              <StatusBadge status={i.status} /> <span className="muted">{i.author_username} · {formatTime(i.created_at)} · {i.fixes_count} fixes {i.tags.map((t) => `#${t}`).join(' ')}</span>
              {open === i.id && <IssueDetail issue={i} />}
            </li>
          ))}
        </ul>
      </QueryState>
    </section>
  );
}

async function uploadImage(file: File): Promise<string> {
  const res = await fetch('/api/community/upload', { method: 'POST', headers: { ...authHeaders(), 'content-type': file.type || 'application/octet-stream' }, body: file });
  const data = (await res.json().catch(() => ({}))) as { markdown?: string; error?: string };
  if (!res.ok || !data.markdown) throw new Error(data.error ?? `Upload failed (HTTP ${res.status})`);
  return data.markdown;
}

function MarkdownField({ label, value, onChange }: { label: string; value: string; onChange(v: string): void }) {
  const [err, setErr] = useState<string | null>(null);
  return (
    <>
      <label className="field">{label}<textarea required rows={6} value={value} onChange={(e) => onChange(e.target.value)} /></label>
      <label className="field">Attach an image (PNG, JPEG, GIF, WebP)
        <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={async (e) => {
          const f = e.target.files?.[0];
          if (!f) return;
          setErr(null);
          try { onChange(`${value}\n${await uploadImage(f)}\n`); } catch (x) { setErr(messageOf(x)); }
          e.target.value = '';
        }} />
      </label>
      {err && <Alert>{err}</Alert>}
    </>
  );
}

function NewIssue({ onDone }: { onDone(id?: string): void }) {
  const client = useQueryClient();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [tags, setTags] = useState('');
  const create = useMutation({
    mutationFn: () => api<Issue>('/api/community/issues', { body: { title, body, tags: tags.split(/[\s,]+/).filter(Boolean) } }),
    onSuccess: (i) => { void client.invalidateQueries({ queryKey: ['issues'] }); onDone(i.id); },
  });
  return (
    <form className="panel" onSubmit={(e: FormEvent) => { e.preventDefault(); create.mutate(); }}>
      <h2>Ask a question</h2>
      <label className="field">Title<input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} /></label>
      <MarkdownField label="Details (Markdown)" value={body} onChange={setBody} />
      <label className="field">Tags (space separated)<input value={tags} onChange={(e) => setTags(e.target.value)} /></label>
      <div className="row"><button type="submit" className="btn btn-primary" disabled={create.isPending}>Post</button><button type="button" className="btn" onClick={() => onDone()}>Cancel</button></div>
      {create.error && <Alert>{messageOf(create.error)}</Alert>}
    </form>
  );
}

function IssueDetail({ issue }: { issue: Issue }) {
  const { user } = useAuth();
  const client = useQueryClient();
  const fixes = useQuery({ queryKey: ['fixes', issue.id], queryFn: () => api<{ fixes: Fix[] }>(`/api/community/issues/${issue.id}/fixes?limit=100`) });
  const [body, setBody] = useState('');
  const refresh = () => { void client.invalidateQueries({ queryKey: ['fixes', issue.id] }); void client.invalidateQueries({ queryKey: ['issues'] }); };
  const act = useMutation({ mutationFn: (v: { path: string; method: string; body?: Record<string, unknown> }) => api(v.path, { method: v.method, body: v.body }), onSuccess: refresh });
  const base = `/api/community/issues/${issue.id}`;
  return (
    <div className="subpanel">
      <Suspense fallback={<p className="muted">…</p>}><Markdown text={issue.body} /></Suspense>
      <h3>Fixes</h3>
      <QueryState isLoading={fixes.isLoading} error={fixes.error}>
        {fixes.data?.fixes.length === 0 && <p className="empty">No fix yet.</p>}
        <ul className="plain-list">
          {fixes.data?.fixes.map((f) => (
            <li key={f.id} className={f.accepted ? 'fix accepted' : 'fix'}>
              {f.accepted && <strong className="badge badge-online">Accepted</strong>}
              <Suspense fallback={null}><Markdown text={f.body} /></Suspense>
              <div className="row muted">
                {f.author_username} · {formatTime(f.created_at)}
                <button type="button" className="btn btn-small" aria-pressed={f.liked_by_me}
                  onClick={() => act.mutate({ path: `${base}/fixes/${f.id}/like`, method: f.liked_by_me ? 'DELETE' : 'POST' })}>
                  {f.liked_by_me ? 'Unlike' : 'Like'} ({f.likes})
                </button>
                {issue.author_id === user?.id && !f.accepted && (
                  <button type="button" className="btn btn-small" onClick={() => act.mutate({ path: `${base}/fixes/${f.id}/accept`, method: 'POST' })}>Accept this fix</button>
                )}
              </div>
            </li>
          ))}
        </ul>
      </QueryState>
      <form onSubmit={(e) => { e.preventDefault(); act.mutate({ path: `${base}/fixes`, method: 'POST', body: { body } }, { onSuccess: () => setBody('') }); }}>
        <MarkdownField label="Your fix (Markdown)" value={body} onChange={setBody} />
        <button type="submit" className="btn btn-primary">Post fix</button>
      </form>
      {act.error && <Alert>{messageOf(act.error)}</Alert>}
    </div>
  );
}
