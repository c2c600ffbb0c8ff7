-- The sizes a session's terminal took after it opened: the recording's "r" events (asciicast v2),
-- so a replay draws each part at the width it was printed at.
CREATE TABLE terminal.session_resizes (
  session_id text NOT NULL REFERENCES terminal.sessions (id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  at timestamptz NOT NULL,
  cols integer NOT NULL CHECK (cols BETWEEN 1 AND 1000),
  rows integer NOT NULL CHECK (rows BETWEEN 1 AND 1000)
);
CREATE INDEX session_resizes_in_order ON terminal.session_resizes (session_id, at);
GRANT SELECT, INSERT ON terminal.session_resizes TO terminal_tenant;
ALTER TABLE terminal.session_resizes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON terminal.session_resizes TO terminal_tenant
  USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
