-- A user's dashboard starts from the person: their direct grants are found by user, not by machine.
CREATE INDEX access_grants_user ON machines.access_grants (user_id);
