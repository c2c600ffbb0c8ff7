import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { loadPrefs } from './prefs';
import TerminalView from './TerminalView';

/** The read-only link: someone else's live session, watched. */
export default function ViewerPage() {
  const { agentId = '', sessionId = '' } = useParams();
  const [prefs] = useState(loadPrefs);
  useEffect(() => { document.title = 'Watching a session · WebXTerm'; }, []);
  return (
    <section className="terminal-page">
      <div className="terminal-toolbar">
        <h1 className="h-small">Watching session <span className="mono">{sessionId.slice(0, 12)}</span></h1>
        <Link to={`/sessions/${sessionId}`}>Replay from the start</Link>
      </div>
      <div className="tabpanel">
        <TerminalView agentId={agentId} sessionId={sessionId} mode="view" active prefs={prefs} label="read-only session" />
      </div>
    </section>
  );
}
