-- The search functions of 0011 as PL/pgSQL running their query with EXECUTE: a SQL function's query
-- is planned without its arguments' values, and a plan made blind to the machine and the words
-- chose badly (465 ms against 7 ms for the same search on a machine of 900 logs among 10 M).
CREATE OR REPLACE FUNCTION machines.search_logs(p_agent_id text, p_query text, p_limit integer, p_offset integer)
  RETURNS SETOF machines.command_logs LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  RETURN QUERY EXECUTE
    'SELECT * FROM machines.command_logs
      WHERE agent_id = $1 AND machines.in_scope(tenant_id) AND search @@ websearch_to_tsquery(''simple'', $2)
      ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4' USING p_agent_id, p_query, p_limit, p_offset;
END $$;
CREATE OR REPLACE FUNCTION machines.count_logs_matching(p_agent_id text, p_query text)
  RETURNS bigint LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE n bigint;
BEGIN
  EXECUTE 'SELECT count(*) FROM machines.command_logs
            WHERE agent_id = $1 AND machines.in_scope(tenant_id) AND search @@ websearch_to_tsquery(''simple'', $2)'
    INTO n USING p_agent_id, p_query;
  RETURN n;
END $$;
