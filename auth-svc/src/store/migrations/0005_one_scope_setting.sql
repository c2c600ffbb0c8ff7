-- One setting for every service's row-level security: app.tenant_id (kit's inTenantScope sets it).
-- In auth-svc it carries the organization's id, or '*' for the super_admin scope.
CREATE OR REPLACE FUNCTION auth.in_scope(org char(24)) RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT current_setting('app.tenant_id', true) = '*' OR org = current_setting('app.tenant_id', true) $$;
