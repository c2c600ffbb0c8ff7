-- machine-svc's projection of auth-svc's groups (AUTH_EVENTS): who is in which group, and which
-- machines each group holds. Replaced wholesale per group by each event, so replays are harmless.
CREATE TABLE machines.group_members (
  tenant_id text NOT NULL,
  group_id  text NOT NULL,
  user_id   text NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON machines.group_members (user_id);

-- machine_ref: the agent_id or the ObjectID the admin named.
CREATE TABLE machines.group_machines (
  tenant_id   text NOT NULL,
  group_id    text NOT NULL,
  machine_ref text NOT NULL,
  PRIMARY KEY (group_id, machine_ref)
);
CREATE INDEX group_machines_ref ON machines.group_machines (machine_ref);
