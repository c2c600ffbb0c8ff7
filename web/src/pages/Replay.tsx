import { useQuery } from '@tanstack/react-query';
import * as AsciinemaPlayer from 'asciinema-player';
import 'asciinema-player/dist/bundle/asciinema-player.css';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, authHeaders } from '../api/http';
import type { SessionRecord } from '../api/types';
import { Alert, formatDuration, formatTime, PageHeader, QueryState, StatusBadge } from '../components/ui';

type Player = ReturnType<typeof AsciinemaPlayer.create>;

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
    queryFn: () => api<{ session: SessionRecord; commands: { command: string; at?: number; time?: number }[] }>(`/api/sessions/${encodeURIComponent(sessionId)}`),
  });
  const cast = useQuery({ queryKey: ['cast', sessionId], queryFn: () => fetchCast(sessionId), staleTime: 60_000 });
  const [speed, setSpeed] = useState(1);
  const [idle, setIdle] = useState(2);
  const box = useRef<HTMLDivElement>(null);
  const player = useRef<Player | null>(null);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(0);
  const [download, setDownload] = useState<string | null>(null);

  useEffect(() => {
    if (!cast.data || !box.current) return undefined;
    const p = AsciinemaPlayer.create({ data: cast.data }, box.current, {
      speed, idleTimeLimit: idle, fit: 'width', controls: true, preload: true, terminalFontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
    });
    player.current = p;
    const tick = window.setInterval(() => { setTime(p.getCurrentTime() ?? 0); setDuration(p.getDuration() ?? 0); }, 250);
    return () => { window.clearInterval(tick); p.dispose(); player.current = null; };
  }, [cast.data, speed, idle]);

  useEffect(() => {
    if (!cast.data) return undefined;
    const url = URL.createObjectURL(new Blob([cast.data], { type: 'application/x-asciicast' }));
    setDownload(url);
    return () => URL.revokeObjectURL(url);
  }, [cast.data]);

  const s = info.data?.session;
  return (
    <section>
      <PageHeader title="Session replay">
        {download && <a className="btn" href={download} download={`${sessionId}.cast`}>Download .cast</a>}
      </PageHeader>
      <QueryState isLoading={info.isLoading} error={info.error}>
        {s && (
          <dl className="facts">
            <div><dt>Machine</dt><dd><Link to={`/machines/${s.agent_id}`}>{s.agent_id}</Link></dd></div>
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
      {info.data && info.data.commands.length > 0 && (
        <div className="panel">
          <h2>Commands</h2>
          <ul className="plain-list">
            {info.data.commands.map((c, i) => {
              const at = c.time ?? c.at;
              return <li key={i}><button type="button" className="btn-link" disabled={at === undefined} onClick={() => at !== undefined && void player.current?.seek(at)}><code>{c.command}</code></button></li>;
            })}
          </ul>
        </div>
      )}
    </section>
  );
}
