-- How long an organization keeps its terminal recordings (at most the TERMINAL stream's own age
-- limit); sessions whose recording was deleted by that policy are marked.
CREATE TABLE terminal.recording_policies (
  tenant_id text PRIMARY KEY,
  retention_days integer NOT NULL CHECK (retention_days BETWEEN 1 AND 3650),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON terminal.recording_policies TO terminal_tenant;
ALTER TABLE terminal.recording_policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON terminal.recording_policies TO terminal_tenant
  USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE terminal.sessions ADD COLUMN recording_deleted_at timestamptz;
CREATE INDEX sessions_recording_kept ON terminal.sessions (tenant_id, ended_at) WHERE recording_deleted_at IS NULL AND ended_at IS NOT NULL;
