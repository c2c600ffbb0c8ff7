-- Each registered machine's agent holds a credential of its own (`vmc_…`), issued at registration and
-- kept here only as a sha256 hash; deleting the machine deletes it. A user's API key only registers.
ALTER TABLE machines.machines ADD COLUMN credential_hash text;
CREATE UNIQUE INDEX machines_credential ON machines.machines (credential_hash) WHERE credential_hash IS NOT NULL;
