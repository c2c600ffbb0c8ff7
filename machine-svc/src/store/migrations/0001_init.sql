CREATE TABLE machines.machines (
  id text PRIMARY KEY,                         -- ObjectID-shaped
  agent_id text NOT NULL UNIQUE,
  tenant_id text NOT NULL,
  name text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  registration_token_hash text,                -- sha256 hex; NULL once registered
  registered_at timestamptz,
  hostname text, os text, kernel text, arch text, ips jsonb NOT NULL DEFAULT '[]', agent_version text, linux_user text,
  connected boolean NOT NULL DEFAULT false,
  connection_id text,
  bridge_id text,
  online_at timestamptz,
  last_seen_at timestamptz
);
CREATE INDEX machines_tenant ON machines.machines (tenant_id, created_at DESC);
CREATE UNIQUE INDEX machines_registration ON machines.machines (registration_token_hash) WHERE registration_token_hash IS NOT NULL;

CREATE TABLE machines.access_grants (
  agent_id text NOT NULL REFERENCES machines.machines(agent_id) ON DELETE CASCADE,
  user_id text NOT NULL,
  username text,
  granted_by text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, user_id)
);

CREATE TABLE machines.command_logs (
  id text PRIMARY KEY,
  agent_id text NOT NULL,
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  username text NOT NULL,
  command text NOT NULL,
  output text NOT NULL,
  exit_code integer,
  duration_ms integer NOT NULL,
  timed_out boolean NOT NULL DEFAULT false,
  truncated boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', command || ' ' || left(output, 100000))) STORED
);
CREATE INDEX command_logs_machine ON machines.command_logs (agent_id, created_at DESC);
CREATE INDEX command_logs_search ON machines.command_logs USING gin (search);
