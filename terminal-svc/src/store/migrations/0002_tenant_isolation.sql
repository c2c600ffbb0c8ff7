-- Tenant isolation in the database itself: queries made for a caller run as terminal_tenant with
-- app.tenant_id set (SessionRepository.scoped), so a missing WHERE clause cannot leak another
-- organization's sessions.
DO $$ BEGIN CREATE ROLE terminal_tenant NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT terminal_tenant TO CURRENT_USER;
GRANT USAGE ON SCHEMA terminal TO terminal_tenant;
GRANT SELECT, INSERT, UPDATE ON terminal.sessions TO terminal_tenant;
ALTER TABLE terminal.sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON terminal.sessions TO terminal_tenant
  USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
