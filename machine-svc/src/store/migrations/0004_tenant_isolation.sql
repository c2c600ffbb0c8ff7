-- Tenant isolation in the database itself. Queries made for a caller run as machines_tenant with
-- app.tenant_id set for their transaction (MachineRepository.scoped); these policies then hide every
-- other organization's rows, so a query that forgot its WHERE clause still cannot leak them.
DO $$ BEGIN CREATE ROLE machines_tenant NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT machines_tenant TO CURRENT_USER;
GRANT USAGE ON SCHEMA machines TO machines_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON machines.machines, machines.access_grants, machines.command_logs,
  machines.group_members, machines.group_machines TO machines_tenant;

CREATE FUNCTION machines.in_scope(tenant text) RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT tenant = current_setting('app.tenant_id', true) $$;

ALTER TABLE machines.machines ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON machines.machines TO machines_tenant USING (machines.in_scope(tenant_id)) WITH CHECK (machines.in_scope(tenant_id));
ALTER TABLE machines.command_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON machines.command_logs TO machines_tenant USING (machines.in_scope(tenant_id)) WITH CHECK (machines.in_scope(tenant_id));
ALTER TABLE machines.group_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON machines.group_members TO machines_tenant USING (machines.in_scope(tenant_id));
ALTER TABLE machines.group_machines ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON machines.group_machines TO machines_tenant USING (machines.in_scope(tenant_id));
-- A grant is visible through its machine, which the policy above already limits.
ALTER TABLE machines.access_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON machines.access_grants TO machines_tenant
  USING (EXISTS (SELECT 1 FROM machines.machines m WHERE m.agent_id = access_grants.agent_id))
  WITH CHECK (EXISTS (SELECT 1 FROM machines.machines m WHERE m.agent_id = access_grants.agent_id));
