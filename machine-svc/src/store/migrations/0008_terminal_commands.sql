-- Commands typed in terminals (the agent's shell integration) beside the API's: where each came from,
-- its session, working directory, and where it began in the recording (output seq, ms from the start).
ALTER TABLE machines.command_logs
  ADD COLUMN source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'terminal')),
  ADD COLUMN session_id text,
  ADD COLUMN cwd text,
  ADD COLUMN seq bigint,
  ADD COLUMN offset_ms bigint;
CREATE INDEX command_logs_session ON machines.command_logs (session_id, created_at) WHERE session_id IS NOT NULL;
