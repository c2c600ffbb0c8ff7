import { useQuery } from '@tanstack/react-query';
import * as AsciinemaPlayer from 'asciinema-player';
import 'asciinema-player/dist/bundle/asciinema-player.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, authHeaders } from '../api/http';
import type { CommandLog, Machine, SessionRecord } from '../api/types';
import { Alert, formatDuration, formatTime, PageHeader, QueryState, StatusBadge } from '../components/ui';

type Player = ReturnType<typeof AsciinemaPlayer.create>;

type Placed = CommandLog & { at: number };

/**
 * The commands of the session placed on the recording's timeline, in time order, and the
 * asciicast with a marker ("m" event) at each, so the player shows them and seeks to them with the
 * idle-time limit applied like every other event. A command's start `seq` is exact (each "o"
 * event of our recordings is one output chunk, seq 1, 2, 3 …); `offset_ms` (the agent's clock)
 * is the fallback.
 */
export function placeCommands(cast: string, commands: CommandLog[]): { cast: string; placed: Placed[] } {
  const [header, ...lines] = cast.split('\n').filter((l) => l.trim() !== '');
  if (!header) return { cast, placed: [] };
  // The recording's own markers name the same commands: they are replaced by these, so that marker i
  // is the i-th command of the list (the player seeks by marker index).
  const events = lines.map((l) => JSON.parse(l) as [number, string, string]).filter((e) => e[1] !== 'm');
  const output = events.filter((e) => e[1] === 'o');
  const placed: Placed[] = [];
  for (const c of commands) {
    const bySeq = typeof c.seq === 'number' && c.seq >= 1 ? output[Math.min(c.seq, output.length) - 1]?.[0] : undefined;
    const at = bySeq ?? (typeof c.offset_ms === 'number' && c.offset_ms >= 0 ? c.offset_ms / 1000 : undefined);
    if (at !== undefined) placed.push({ ...c, at });
  }
  placed.sort((a, b) => a.at - b.at);
  if (placed.length === 0) return { cast, placed };
  for (const c of placed) events.push([c.at, 'm', c.command.slice(0, 80)]);
  // Stable sort: a marker at the same time as output goes after it.
  events.sort((a, b) => a[0] - b[0]);
  return { cast: `${[header, ...events.map((e) => JSON.stringify(e))].join('\n')}\n`, placed };
}

async function fetchCast(sessionId: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`/api/terminal/sessions/${encodeURIComponent(sessionId)}/recording`, { headers: authHeaders() });
  } catch {
    throw new ApiError(0, 'The server cannot be reached.');
  }
  if (!res.ok) throw new ApiError(res.status, res.status === 404 ? 'This recording does not exist, or you have no access to it.' : `The recording could not be loaded (HTTP ${res.status}).`);
  return res.text();
}

/** Replay a recorded session: seek, speed 0.5–4×, idle-time limit, and download the asciicast file. */
export default function Replay() {
  const { sessionId = '' } = useParams();
  const info = useQuery({
    queryKey: ['session', sessionId],
    queryFn: () => api<{ session: SessionRecord; commands: CommandLog[] }>(`/api/sessions/${encodeURIComponent(sessionId)}`),
    // The player is rebuilt when the recording or its markers change: never behind the viewer's back.
    staleTime: Infinity, refetchOnWindowFocus: false,
  });
  const cast = useQuery({ queryKey: ['cast', sessionId], queryFn: () => fetchCast(sessionId), staleTime: Infinity, refetchOnWindowFocus: false });
  const { cast: marked, placed: commands } = useMemo(
    () => (cast.data ? placeCommands(cast.data, info.data?.commands ?? []) : { cast: '', placed: [] as Placed[] }),
    [cast.data, info.data],
  );
  const [speed, setSpeed] = useState(1);
  const [idle, setIdle] = useState(2);
  const box = useRef<HTMLDivElement>(null);
  const player = useRef<Player | null>(null);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [download, setDownload] = useState<string | null>(null);

  useEffect(() => {
    if (!marked || !box.current || info.isLoading) return undefined;
    const p = AsciinemaPlayer.create({ data: marked }, box.current, {
      speed, idleTimeLimit: idle, fit: 'width', controls: true, preload: true, terminalFontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
    });
    player.current = p;
    const tick = window.setInterval(() => { setTime(p.getCurrentTime() ?? 0); setDuration(p.getDuration() ?? 0); }, 250);
    return () => { window.clearInterval(tick); p.dispose(); player.current = null; };
  }, [marked, speed, idle, info.isLoading]);

  useEffect(() => {
    if (!cast.data) return undefined;
    const url = URL.createObjectURL(new Blob([cast.data], { type: 'application/x-asciicast' }));
    setDownload(url);
    return () => URL.revokeObjectURL(url);
  }, [cast.data]);

  const s = info.data?.session;
  const machines = useQuery({ queryKey: ['machines'], queryFn: () => api<{ machines: Machine[] }>('/api/machines'), enabled: Boolean(s) });
  const machineName = machines.data?.machines.find((m) => m.agent_id === s?.agent_id)?.name;
  return (
    <section>
      <PageHeader title="Session replay">
        {download && <a className="btn" href={download} download={`${sessionId}.cast`}>Download .cast</a>}
      </PageHeader>
      <QueryState isLoading={info.isLoading} error={info.error}>
        {s && (
          <dl className="facts">
            <div><dt>Machine</dt><dd><Link to={`/machines/${s.agent_id}`}>{machineName || s.agent_id}</Link></dd></div>
            <div><dt>Person</dt><dd>{s.username}{s.linux_user ? ` as ${s.linux_user}` : ''}</dd></div>
            <div><dt>Started</dt><dd>{formatTime(s.started_at)}</dd></div>
            <div><dt>Duration</dt><dd>{formatDuration((s.ended_at ? Date.parse(s.ended_at) : Date.now()) - Date.parse(s.started_at))}</dd></div>
            <div><dt>Status</dt><dd><StatusBadge status={s.status} /></dd></div>
            <div><dt>Exit code</dt><dd data-testid="exit-code">{s.exit_code ?? '—'}</dd></div>
          </dl>
        )}
      </QueryState>
      <div className="form-row replay-controls">
        <label className="field field-inline">Speed
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {[0.5, 1, 1.5, 2, 3, 4].map((v) => <option key={v} value={v}>{v}×</option>)}
          </select>
        </label>
        <label className="field field-inline">Idle time limit
          <select value={idle} onChange={(e) => setIdle(Number(e.target.value))}>
            {[0.5, 1, 2, 5, 30].map((v) => <option key={v} value={v}>{v} s</option>)}
          </select>
        </label>
        <label className="field field-inline grow">Seek
          <input type="range" min={0} max={Math.max(duration, 0.1)} step="any" value={Math.min(time, duration)}
            onChange={(e) => { const t = Number(e.target.value); setTime(t); void player.current?.seek(t); }} aria-valuetext={`${time.toFixed(1)} of ${duration.toFixed(1)} seconds`} />
        </label>
        <span className="muted mono" data-testid="replay-time">{time.toFixed(1)} / {duration.toFixed(1)} s</span>
      </div>
      {cast.error ? <Alert>{(cast.error as Error).message}</Alert> : null}
      {cast.isLoading && <p className="muted" role="status">Loading the recording…</p>}
      <div className="player" ref={box} data-testid="player" />
      {commands.length > 0 && (
        <div className="panel">
          <h2>Commands</h2>
          <ol className="plain-list">
            {commands.map((c, i) => (
              <li key={c.id} className="row-between">
                <button type="button" className="btn-link" onClick={() => { box.current?.scrollIntoView({ block: 'nearest' }); void player.current?.seek({ marker: i }); }}
                  aria-label={`Jump to ${c.command}`}><code>{c.command}</code></button>
                <span className="muted">exit {c.exit_code ?? '—'}{c.cwd ? ` · ${c.cwd}` : ''}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
