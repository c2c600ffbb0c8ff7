-- When each agent last connected and last went offline, as its bridges reported them (stream
-- MACHINES; handled in any order, so each column only moves forward). A session whose agent went
-- offline and stayed away longer than the agent keeps a shell nobody attends will never report an
-- exit: terminal-svc closes it as lost.
CREATE TABLE terminal.agent_presence (
  agent_id text PRIMARY KEY,
  online_at timestamptz,
  offline_at timestamptz
);
CREATE INDEX sessions_active_by_agent ON terminal.sessions (agent_id) WHERE status = 'active';
