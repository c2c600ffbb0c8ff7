-- A direct grant carries a machine role: viewer (watch sessions, read logs), operator (+ terminals
-- and commands, the default), admin (+ grant access and delete the machine).
ALTER TABLE machines.access_grants ADD COLUMN role text NOT NULL DEFAULT 'operator' CHECK (role IN ('viewer', 'operator', 'admin'));
