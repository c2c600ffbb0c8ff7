-- Full-text search over a machine's command logs, scoped to the caller's organization by a plain
-- condition. Under row-level security PostgreSQL must check the policy before any condition that is
-- not leakproof, and `tsvector @@ tsquery` is not: the GIN index went unused and a search read every
-- log of the machine (or walked the organization's logs by time). These functions run as the tables'
-- owner and apply the policy's own test, machines.in_scope(tenant_id), beside the search, so the
-- planner may combine the indexes; the caller's transaction still decides the organization.
CREATE FUNCTION machines.search_logs(p_agent_id text, p_query text, p_limit integer, p_offset integer)
  RETURNS SETOF machines.command_logs LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT * FROM machines.command_logs
   WHERE agent_id = p_agent_id AND machines.in_scope(tenant_id) AND search @@ websearch_to_tsquery('simple', p_query)
   ORDER BY created_at DESC, id DESC LIMIT p_limit OFFSET p_offset
$$;
CREATE FUNCTION machines.count_logs_matching(p_agent_id text, p_query text)
  RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT count(*) FROM machines.command_logs
   WHERE agent_id = p_agent_id AND machines.in_scope(tenant_id) AND search @@ websearch_to_tsquery('simple', p_query)
$$;
REVOKE ALL ON FUNCTION machines.search_logs(text, text, integer, integer), machines.count_logs_matching(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION machines.search_logs(text, text, integer, integer), machines.count_logs_matching(text, text) TO machines_tenant;
