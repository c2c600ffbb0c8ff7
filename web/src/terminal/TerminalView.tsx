import { ClipboardAddon } from '@xterm/addon-clipboard';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { getSession } from '../auth/session';
import { TerminalConnection, type ConnectionState } from './connection';
import { diagnose, wsOrigin } from './diagnose';
import { KeyBar } from './KeyBar';
import { themeFor, type TerminalPrefs } from './prefs';

interface Props {
  agentId: string;
  sessionId?: string;
  mode?: 'owner' | 'view';
  active: boolean;
  prefs: TerminalPrefs;
  label: string;
  onSession?(sessionId: string): void;
  onState?(state: ConnectionState): void;
}

/** One terminal: xterm.js on a TerminalConnection, fitted to its box, with banners for every state. */
export default function TerminalView({ agentId, sessionId, mode = 'owner', active, prefs, label, onSession, onState }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const fit = useRef<FitAddon | null>(null);
  const search = useRef<SearchAddon | null>(null);
  const conn = useRef<TerminalConnection | null>(null);
  const ctrlSticky = useRef(false);
  /** Tab leaves the terminal instead of reaching the shell (Ctrl+Shift+M): no keyboard trap. */
  const tabMovesFocus = useRef(false);
  const [tabFocus, setTabFocus] = useState(false);
  const [state, setState] = useState<ConnectionState>({ kind: 'connecting' });
  const [notice, setNotice] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const [needle, setNeedle] = useState('');
  const [renderer, setRenderer] = useState<'webgl' | 'dom'>('dom');
  const [ctrl, setCtrl] = useState(false);
  const callbacks = useRef({ onSession, onState });
  callbacks.current = { onSession, onState };
  // The session this view attaches to when it (re)creates its terminal; learning the id of the
  // session it opened itself must not start over.
  const attachTo = useRef(sessionId);
  attachTo.current = sessionId;

  useEffect(() => {
    const el = box.current!;
    const t = new Terminal({
      allowProposedApi: true, // unicode11
      cursorBlink: true,
      fontSize: prefs.fontSize,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, monospace',
      scrollback: 10_000,
      theme: themeFor(prefs),
      disableStdin: mode === 'view',
      screenReaderMode: prefs.screenReader,
    });
    const f = new FitAddon();
    const s = new SearchAddon();
    t.loadAddon(f);
    t.loadAddon(s);
    t.loadAddon(new Unicode11Addon());
    t.unicode.activeVersion = '11';
    t.loadAddon(new WebLinksAddon());
    t.loadAddon(new ClipboardAddon()); // OSC 52: programs in the shell can set the clipboard
    t.open(el);
    setRenderer('dom'); // a new terminal starts on the DOM renderer, WebGL replaces it where it loads
    if (prefs.renderer === 'auto') {
      try {
        const gl = new WebglAddon();
        gl.onContextLoss(() => { gl.dispose(); setRenderer('dom'); });
        t.loadAddon(gl);
        setRenderer('webgl');
      } catch { /* no WebGL here (headless, old GPU): the DOM renderer stays */ }
    }
    el.dataset.renderer = prefs.renderer;
    term.current = t;
    fit.current = f;
    search.current = s;
    try { f.fit(); } catch { /* hidden tab */ }

    const c = new TerminalConnection({
      origin: wsOrigin(), agentId, sessionId: attachTo.current, mode,
      token: () => getSession()?.token ?? null,
      size: () => ({ cols: t.cols, rows: t.rows }),
      onOutput: (bytes) => t.write(bytes),
      onState: (st) => {
        setState(st);
        if (st.kind === 'open') callbacks.current.onSession?.(st.sessionId);
        callbacks.current.onState?.(st);
      },
      onNotice: (m) => setNotice(m),
      diagnose: (sid) => diagnose(agentId, sid),
    });
    conn.current = c;
    c.connect();

    const input = t.onData((d) => {
      if (ctrlSticky.current && d.length === 1) {
        ctrlSticky.current = false;
        setCtrl(false);
        const code = d.toUpperCase().charCodeAt(0);
        if (code >= 64 && code <= 95) { c.send(String.fromCharCode(code - 64)); return; }
      }
      c.send(d);
    });
    const binary = t.onBinary((d) => c.send(Uint8Array.from(d, (ch) => ch.charCodeAt(0))));
    const resized = t.onResize(({ cols, rows }) => c.resize(cols, rows));
    // Copy on select.
    const selected = t.onSelectionChange(() => {
      const text = t.getSelection();
      if (text) void navigator.clipboard?.writeText(text).catch(() => undefined);
    });
    // Ctrl+Shift+C / Ctrl+Shift+V are the terminal's, not the browser's.
    t.attachCustomKeyEventHandler((e) => {
      if (e.key === 'Tab' && tabMovesFocus.current && !e.ctrlKey && !e.altKey) return false; // the browser moves focus
      if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
      if (e.code === 'KeyM') {
        e.preventDefault();
        tabMovesFocus.current = !tabMovesFocus.current;
        setTabFocus(tabMovesFocus.current);
        return false;
      }
      if (e.code === 'KeyC') {
        e.preventDefault();
        const text = t.getSelection();
        if (text) void navigator.clipboard?.writeText(text).catch(() => undefined);
        return false;
      }
      if (e.code === 'KeyV') {
        e.preventDefault();
        void navigator.clipboard?.readText().then((text) => t.paste(text)).catch(() => undefined);
        return false;
      }
      if (e.code === 'KeyF') {
        e.preventDefault();
        setSearching(true);
        return false;
      }
      return true;
    });
    const onContextMenu = (e: MouseEvent) => {
      if (mode === 'view') return;
      e.preventDefault();
      void navigator.clipboard?.readText().then((text) => t.paste(text)).catch(() => undefined);
    };
    el.addEventListener('contextmenu', onContextMenu);

    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => { if (el.offsetParent !== null) { try { f.fit(); } catch { /* detached */ } } });
    });
    observer.observe(el);
    const online = () => c.retryNow();
    window.addEventListener('online', online);

    return () => {
      window.removeEventListener('online', online);
      observer.disconnect();
      cancelAnimationFrame(frame);
      el.removeEventListener('contextmenu', onContextMenu);
      input.dispose(); binary.dispose(); resized.dispose(); selected.dispose();
      c.close();
      t.dispose();
      term.current = null;
    };
    // A new terminal only for another machine, mode or renderer; other prefs apply below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [agentId, mode, prefs.renderer]);

  useEffect(() => {
    const t = term.current;
    if (!t) return;
    t.options.fontSize = prefs.fontSize;
    t.options.theme = themeFor(prefs);
    t.options.screenReaderMode = prefs.screenReader;
    try { fit.current?.fit(); } catch { /* hidden */ }
  }, [prefs]);

  useEffect(() => {
    if (!active) return;
    requestAnimationFrame(() => {
      try { fit.current?.fit(); } catch { /* hidden */ }
      term.current?.focus();
    });
  }, [active]);

  /** Everything in the scrollback as plain text (wrapped rows joined), saved as a file. */
  const saveOutput = () => {
    const t = term.current;
    if (!t) return;
    const buf = t.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) {
      const line = buf.getLine(i);
      if (!line) continue;
      const text = line.translateToString(true);
      if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const url = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${label.replace(/[^\w.-]+/g, '_')}-${conn.current?.sessionId ?? 'terminal'}.txt`;
    a.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const keyBar = (seq: string) => {
    if (seq === 'CTRL') { ctrlSticky.current = !ctrlSticky.current; setCtrl(ctrlSticky.current); term.current?.focus(); return; }
    conn.current?.send(seq);
    term.current?.focus();
  };

  return (
    <div className="terminal-view" data-state={state.kind} data-renderer={renderer} hidden={!active}>
      <StateBanner state={state} mode={mode} />
      {notice && <div className="term-banner term-banner-info" role="status">{notice} <button type="button" className="btn-link" onClick={() => setNotice(null)}>Dismiss</button></div>}
      {searching && (
        <form className="term-search" role="search" onSubmit={(e) => { e.preventDefault(); search.current?.findNext(needle); }}>
          <label className="field field-inline">Find in scrollback
            <input autoFocus value={needle} onChange={(e) => { setNeedle(e.target.value); search.current?.findNext(e.target.value, { incremental: true }); }}
              onKeyDown={(e) => { if (e.key === 'Escape') { setSearching(false); search.current?.clearDecorations(); term.current?.focus(); } }} />
          </label>
          <button type="button" className="btn btn-small" onClick={() => search.current?.findPrevious(needle)}>Previous</button>
          <button type="submit" className="btn btn-small">Next</button>
          <button type="button" className="btn btn-small" onClick={() => { setSearching(false); search.current?.clearDecorations(); term.current?.focus(); }}>Close</button>
        </form>
      )}
      <div className="terminal-box" ref={box} role="group" aria-label={`Terminal: ${label}`} style={{ background: themeFor(prefs).background }} />
      <div className="term-footer">
        {mode === 'owner' && <KeyBar onKey={keyBar} ctrl={ctrl} />}
        <span className="row">
          <button type="button" className="btn btn-small" onClick={() => setSearching(true)} aria-label="Find in scrollback (Ctrl+Shift+F)">Find</button>
          <button type="button" className="btn btn-small" onClick={saveOutput}>Save output</button>
          <button type="button" className="btn btn-small" aria-pressed={tabFocus} title="Ctrl+Shift+M"
            onClick={() => { tabMovesFocus.current = !tabMovesFocus.current; setTabFocus(tabMovesFocus.current); }}>
            {tabFocus ? 'Tab moves focus' : 'Tab goes to the shell'}
          </button>
        </span>
      </div>
    </div>
  );
}

function StateBanner({ state, mode }: { state: ConnectionState; mode: 'owner' | 'view' }) {
  switch (state.kind) {
    case 'connecting':
      return <div className="term-banner term-banner-info" role="status">Connecting…</div>;
    case 'open':
      if (state.agentAway) return <div className="term-banner term-banner-warn" role="status" data-banner="agent-away">The machine&apos;s agent is reconnecting. What you type now is typed when it is back.</div>;
      return state.readOnly || mode === 'view' ? <div className="term-banner term-banner-info" role="status">Read-only: you are watching this session.</div> : null;
    case 'reconnecting':
      return <div className="term-banner term-banner-warn" role="status" data-banner="reconnecting">Connection lost — reconnecting (attempt {state.attempt})… Nothing is lost: output resumes where it stopped, and what you type now is sent then.</div>;
    case 'offline':
      return <div className="term-banner term-banner-warn" role="status" data-banner="offline">The machine is offline. Retrying until it comes back…</div>;
    case 'exited':
      return <div className="term-banner term-banner-done" role="status" data-banner="exit">The shell ended{state.code === null ? '' : <> with exit code <strong data-exit-code={state.code}>{state.code}</strong></>}.</div>;
    case 'refused':
      return <div className="term-banner term-banner-error" role="alert" data-banner="refused">Access refused: {state.reason}</div>;
    case 'closed':
      return null;
  }
}
