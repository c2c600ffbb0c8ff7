-- A person who already exists elsewhere is invited, not added (issue 7): their membership stays
-- pending until they accept it. Until then the organization sees only what its admin typed
-- (invited_*), the person's logins do not offer the organization, its API key resolves to nobody,
-- and the organization cannot change the person's own names.
ALTER TABLE auth.memberships
  ADD COLUMN pending boolean NOT NULL DEFAULT false,
  ADD COLUMN invited_username text,
  ADD COLUMN invited_first_name text,
  ADD COLUMN invited_last_name text,
  ADD COLUMN invited_by char(24);
CREATE INDEX memberships_pending_idx ON auth.memberships (person_id) WHERE pending;

DROP POLICY tenant_update ON auth.persons;
CREATE POLICY tenant_update ON auth.persons FOR UPDATE TO auth_tenant
  USING (EXISTS (SELECT 1 FROM auth.memberships m WHERE m.person_id = persons.id AND NOT m.pending));
