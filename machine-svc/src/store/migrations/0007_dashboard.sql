-- The dashboard counts an organization's commands by time and lists its latest ones.
CREATE INDEX command_logs_tenant_time ON machines.command_logs (tenant_id, created_at DESC);
CREATE INDEX machines_tenant_seen ON machines.machines (tenant_id, last_seen_at DESC NULLS LAST);
