-- Which memberships each login minted tokens for, so removing a user or changing their role can
-- revoke exactly those logins.
CREATE TABLE auth.session_users (
  sid     uuid NOT NULL REFERENCES auth.sessions(sid) ON DELETE CASCADE,
  user_id char(24) NOT NULL REFERENCES auth.memberships(id) ON DELETE CASCADE,
  PRIMARY KEY (sid, user_id)
);
CREATE INDEX session_users_user_idx ON auth.session_users (user_id);

CREATE TABLE auth.groups (
  id              char(24) PRIMARY KEY,
  organization_id char(24) NOT NULL REFERENCES auth.organizations(id) ON DELETE CASCADE,
  name            text NOT NULL,
  description     text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organization_id, name)
);

CREATE TABLE auth.group_members (
  group_id        char(24) NOT NULL REFERENCES auth.groups(id) ON DELETE CASCADE,
  user_id         char(24) NOT NULL REFERENCES auth.memberships(id) ON DELETE CASCADE,
  organization_id char(24) NOT NULL REFERENCES auth.organizations(id) ON DELETE CASCADE,
  added_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON auth.group_members (user_id);

CREATE TABLE auth.group_machines (
  group_id        char(24) NOT NULL REFERENCES auth.groups(id) ON DELETE CASCADE,
  machine_id      text NOT NULL,
  organization_id char(24) NOT NULL REFERENCES auth.organizations(id) ON DELETE CASCADE,
  added_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, machine_id)
);

-- Tenant isolation in the database itself. Requests made on behalf of an organization run as
-- auth_tenant with app.org_id set for the transaction; these policies then hide every other
-- organization's rows, so a query that forgot its WHERE clause still cannot leak them.
-- app.org_id = '*' is the super_admin scope.
DO $$ BEGIN CREATE ROLE auth_tenant NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT auth_tenant TO CURRENT_USER;
GRANT USAGE ON SCHEMA auth TO auth_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.organizations, auth.memberships, auth.persons, auth.groups,
  auth.group_members, auth.group_machines TO auth_tenant;
GRANT INSERT ON auth.credentials TO auth_tenant;

CREATE FUNCTION auth.in_scope(org char(24)) RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT current_setting('app.org_id', true) = '*' OR org = current_setting('app.org_id', true) $$;

ALTER TABLE auth.organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON auth.organizations TO auth_tenant USING (auth.in_scope(id));
ALTER TABLE auth.memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON auth.memberships TO auth_tenant USING (auth.in_scope(organization_id));
ALTER TABLE auth.groups ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON auth.groups TO auth_tenant USING (auth.in_scope(organization_id));
ALTER TABLE auth.group_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON auth.group_members TO auth_tenant USING (auth.in_scope(organization_id));
ALTER TABLE auth.group_machines ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON auth.group_machines TO auth_tenant USING (auth.in_scope(organization_id));
-- A person is visible through a membership in scope; a new person (no membership yet) may be inserted.
ALTER TABLE auth.persons ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON auth.persons FOR SELECT TO auth_tenant
  USING (EXISTS (SELECT 1 FROM auth.memberships m WHERE m.person_id = persons.id));
CREATE POLICY tenant_update ON auth.persons FOR UPDATE TO auth_tenant
  USING (EXISTS (SELECT 1 FROM auth.memberships m WHERE m.person_id = persons.id));
CREATE POLICY tenant_insert ON auth.persons FOR INSERT TO auth_tenant WITH CHECK (true);
ALTER TABLE auth.credentials ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_insert ON auth.credentials FOR INSERT TO auth_tenant WITH CHECK (true);
