-- audit-svc's store: every audit event once, in per-tenant hash chains (docs/events.md).

-- Parses the events' `at`. IMMUTABLE is true for the values it is given: AuditEventSchema only
-- admits ISO-8601 UTC times ending in `Z`, whose meaning does not depend on the TimeZone setting.
CREATE FUNCTION audit.utc_time(text) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT $1::timestamptz $$;

-- One row per event. `event` is the validated payload exactly as hashed; every other column that
-- queries filter on is generated from it, so a column can never disagree with the hashed content.
CREATE TABLE audit.events (
  event          jsonb  NOT NULL,
  id             uuid   GENERATED ALWAYS AS ((event->>'id')::uuid) STORED PRIMARY KEY,
  tenant_id      text   GENERATED ALWAYS AS (event->>'tenant_id') STORED NOT NULL
                        CHECK (tenant_id ~ '^[A-Za-z0-9_-]{1,128}$'),
  at             timestamptz GENERATED ALWAYS AS (audit.utc_time(event->>'at')) STORED NOT NULL,
  action         text   GENERATED ALWAYS AS (event->>'action') STORED NOT NULL,
  result         text   GENERATED ALWAYS AS (event->>'result') STORED NOT NULL,
  resource       text   GENERATED ALWAYS AS (event->>'resource') STORED,
  actor_user_id  text   GENERATED ALWAYS AS (event->'actor'->>'user_id') STORED,
  actor_username text   GENERATED ALWAYS AS (event->'actor'->>'username') STORED,
  -- The event's place in its tenant's chain: 1, 2, 3, … and the links around it.
  seq            bigint NOT NULL CHECK (seq > 0),
  prev_hash      text   NOT NULL,
  hash           text   NOT NULL,
  stored_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, seq)
);
-- Newest first, per tenant and over all tenants (super_admin); `id` breaks ties so pages are stable.
CREATE INDEX events_tenant_at_idx ON audit.events (tenant_id, at DESC, id DESC);
CREATE INDEX events_at_idx ON audit.events (at DESC, id DESC);

-- The end of each tenant's chain. Appending locks this row (SELECT … FOR UPDATE), so appends to one
-- tenant are serialized across every replica while different tenants proceed in parallel.
CREATE TABLE audit.chain_heads (
  tenant_id     text   PRIMARY KEY,
  seq           bigint NOT NULL DEFAULT 0,
  hash          text   NOT NULL DEFAULT repeat('0', 64),
  last_event_at timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Tenant isolation in the database itself. Reads made for a caller run as audit_reader (SET LOCAL
-- ROLE) with app.tenant_id set for the transaction; these policies then hide every other tenant's
-- rows, so a query that forgot its WHERE clause still cannot leak them. '*' is the super_admin
-- scope. FORCE makes the policies bind the table owner too; the writer runs with '*'.
DO $$ BEGIN CREATE ROLE audit_reader NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;

ALTER TABLE audit.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON audit.events
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

ALTER TABLE audit.chain_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.chain_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON audit.chain_heads
  USING (tenant_id = current_setting('app.tenant_id', true) OR current_setting('app.tenant_id', true) = '*');

-- audit_reader may read, nothing else: no writes, no other tables (not even audit.migrations).
GRANT USAGE ON SCHEMA audit TO audit_reader;
GRANT SELECT ON audit.events, audit.chain_heads TO audit_reader;

-- SET ROLE needs membership unless the service connects as a superuser (the local stack does). A
-- deployment connecting as an ordinary owner role gets it here; nothing else is ever granted it.
DO $$ BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT audit_reader TO %I', current_user);
  END IF;
END $$;
