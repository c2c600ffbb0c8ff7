-- Commands per organization and hour, kept by a trigger, so an admin's dashboard sums at most 168
-- rows for "commands in 24 h / 7 days" instead of counting every command log of the organization.
-- (A `user` counts the logs of their few machines through the (agent_id, created_at) index.)
CREATE TABLE machines.command_counts (
  tenant_id text NOT NULL,
  hour      timestamptz NOT NULL,
  n         bigint NOT NULL,
  PRIMARY KEY (tenant_id, hour)
);
INSERT INTO machines.command_counts (tenant_id, hour, n)
  SELECT tenant_id, date_trunc('hour', created_at), count(*) FROM machines.command_logs GROUP BY 1, 2;

CREATE FUNCTION machines.count_command() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO machines.command_counts (tenant_id, hour, n) VALUES (NEW.tenant_id, date_trunc('hour', NEW.created_at), 1)
    ON CONFLICT (tenant_id, hour) DO UPDATE SET n = machines.command_counts.n + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER command_logs_count AFTER INSERT ON machines.command_logs FOR EACH ROW EXECUTE FUNCTION machines.count_command();

GRANT SELECT, INSERT, UPDATE ON machines.command_counts TO machines_tenant;
ALTER TABLE machines.command_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON machines.command_counts TO machines_tenant USING (machines.in_scope(tenant_id)) WITH CHECK (machines.in_scope(tenant_id));
