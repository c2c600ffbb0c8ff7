CREATE TABLE terminal.sessions (
  id text PRIMARY KEY,                      -- ObjectID-shaped; also the NATS subject token
  agent_id text NOT NULL,
  machine_id text NOT NULL,
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  username text NOT NULL,
  linux_user text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  exit_code integer,
  bytes_out bigint NOT NULL DEFAULT 0,
  cols integer NOT NULL,
  rows integer NOT NULL
);
CREATE INDEX sessions_machine ON terminal.sessions (agent_id, started_at DESC);
CREATE INDEX sessions_tenant_active ON terminal.sessions (tenant_id, status, started_at DESC);
