import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useLocation, useNavigate, useParams } from 'react-router';
import { api } from '../api/http';
import type { Machine } from '../api/types';
import { CopyButton, PageHeader } from '../components/ui';
import type { ConnectionState } from './connection';
import { loadPrefs, savePrefs, type TerminalPrefs } from './prefs';
import { loadTabs, newTabKey, saveTabs, type TermTab } from './tabs';
import TerminalView from './TerminalView';

/** Terminals in tabs, across machines. `/terminal/:agentId` opens (or focuses) one on that machine. */
export default function TerminalPage() {
  const { agentId } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const [{ tabs, active }, setTabs] = useState(loadTabs);
  const [prefs, setPrefs] = useState<TerminalPrefs>(loadPrefs);
  const [states, setStates] = useState<Record<string, ConnectionState['kind']>>({});
  const machines = useQuery({ queryKey: ['machines'], queryFn: () => api<{ machines: Machine[] }>('/api/machines'), refetchInterval: 10_000 });
  const [pick, setPick] = useState('');

  useEffect(() => { saveTabs({ tabs, active }); }, [tabs, active]);
  useEffect(() => { savePrefs(prefs); }, [prefs]);
  useEffect(() => { document.title = 'Terminals · WebXTerm'; }, []);

  const open = (agent: string) => {
    const m = machines.data?.machines.find((x) => x.agent_id === agent);
    const tab: TermTab = { key: newTabKey(), agentId: agent, name: m?.name || agent.slice(0, 8) };
    setTabs((v) => ({ tabs: [...v.tabs, tab], active: tab.key }));
  };

  // Arriving at /terminal/:agentId opens a tab there once, then the address goes back to /terminal.
  const handled = useRef<string | null>(null);
  useEffect(() => {
    if (!agentId || handled.current === location.key) return;
    handled.current = location.key;
    open(agentId);
    navigate('/terminal', { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [agentId, location.key]);

  // Names arrive with the machine list.
  useEffect(() => {
    if (!machines.data) return;
    setTabs((v) => ({
      ...v,
      tabs: v.tabs.map((t) => {
        const m = machines.data.machines.find((x) => x.agent_id === t.agentId);
        return m && m.name && m.name !== t.name ? { ...t, name: m.name } : t;
      }),
    }));
  }, [machines.data]);

  /** Closing a tab ends its shell; a dropped connection, a reload or a closed browser resume it instead. */
  const close = (key: string) => {
    const sessionId = tabs.find((t) => t.key === key)?.sessionId;
    if (sessionId) void api(`/api/terminal/sessions/${encodeURIComponent(sessionId)}`, { method: 'DELETE' }).catch(() => undefined);
    setTabs((v) => {
      const rest = v.tabs.filter((t) => t.key !== key);
      return { tabs: rest, active: v.active === key ? rest[rest.length - 1]?.key ?? null : v.active };
    });
  };
  const setSession = (key: string, sessionId: string) => setTabs((v) => ({
    ...v, tabs: v.tabs.map((t) => (t.key === key && t.sessionId !== sessionId ? { ...t, sessionId } : t)),
  }));
  const current = tabs.find((t) => t.key === active);
  const shareUrl = current?.sessionId ? `${window.location.origin}/view/${current.agentId}/${current.sessionId}` : null;
  const online = machines.data?.machines.filter((m) => m.status === 'online') ?? [];

  return (
    <section className="terminal-page">
      <div className="terminal-toolbar">
        <ul aria-label="Open terminals" className="tabs">
          {tabs.map((t) => (
            <li key={t.key} className={t.key === active ? 'tab active' : 'tab'}>
              <button type="button" aria-current={t.key === active ? 'true' : undefined} aria-controls={`panel-${t.key}`}
                onClick={() => setTabs((v) => ({ ...v, active: t.key }))}>
                <span className={`dot dot-${states[t.key] ?? 'connecting'}`} aria-hidden="true" />{t.name}
                <span className="sr-only"> ({states[t.key] ?? 'connecting'})</span>
              </button>
              <button type="button" className="tab-close" aria-label={`Close terminal ${t.name}`} title="Close this terminal and end its shell" onClick={() => close(t.key)}>×</button>
            </li>
          ))}
        </ul>
        <form className="row" onSubmit={(e) => { e.preventDefault(); if (pick) open(pick); }}>
          <label className="field field-inline">New terminal on
            <select value={pick} onChange={(e) => setPick(e.target.value)}>
              <option value="">choose a machine…</option>
              {online.map((m) => <option key={m.agent_id} value={m.agent_id}>{m.name || m.agent_id}</option>)}
            </select>
          </label>
          <button type="submit" className="btn" disabled={!pick}>Open</button>
        </form>
        <div className="row">
          <button type="button" className="btn btn-small" aria-label="Smaller font" onClick={() => setPrefs({ ...prefs, fontSize: Math.max(8, prefs.fontSize - 1) })}>A−</button>
          <span className="muted" aria-live="polite">{prefs.fontSize}px</span>
          <button type="button" className="btn btn-small" aria-label="Larger font" onClick={() => setPrefs({ ...prefs, fontSize: Math.min(32, prefs.fontSize + 1) })}>A+</button>
          <label className="field field-inline">Theme
            <select value={prefs.theme} onChange={(e) => setPrefs({ ...prefs, theme: e.target.value as TerminalPrefs['theme'] })}>
              <option value="system">system</option><option value="dark">dark</option><option value="light">light</option>
            </select>
          </label>
          <label className="field field-inline">Renderer
            <select value={prefs.renderer} onChange={(e) => setPrefs({ ...prefs, renderer: e.target.value as TerminalPrefs['renderer'] })}>
              <option value="auto">WebGL when available</option><option value="dom">DOM</option>
            </select>
          </label>
          <label className="switch">
            <input type="checkbox" checked={prefs.screenReader} onChange={(e) => setPrefs({ ...prefs, screenReader: e.target.checked })} />
            Screen reader
          </label>
        </div>
      </div>
      {shareUrl && (
        <details className="share">
          <summary>Share read-only</summary>
          <p className="row">
            <label className="field field-inline grow">Read-only link (a colleague with access to this machine can watch)
              <input readOnly value={shareUrl} onFocus={(e) => e.target.select()} />
            </label>
            <CopyButton text={shareUrl} label="Copy link" />
          </p>
        </details>
      )}
      {tabs.length === 0 ? (
        <div className="empty-terminal">
          <PageHeader title="Terminals" />
          <p>No terminal open. Choose a machine above, or open one from <a href="/machines" onClick={(e) => { e.preventDefault(); navigate('/machines'); }}>Machines</a>.</p>
        </div>
      ) : tabs.map((t) => (
        <div key={t.key} role="region" id={`panel-${t.key}`} aria-label={`Terminal on ${t.name}`} hidden={t.key !== active} className="tabpanel">
          <TerminalView
            agentId={t.agentId} sessionId={t.sessionId} active={t.key === active} prefs={prefs} label={t.name}
            onSession={(sid) => setSession(t.key, sid)}
            onState={(s) => setStates((v) => ({ ...v, [t.key]: s.kind }))}
          />
        </div>
      ))}
    </section>
  );
}
