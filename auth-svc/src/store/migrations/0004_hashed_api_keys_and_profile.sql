-- API keys are kept as hashes from now on (issue 9). A key is 32 random bytes, so a plain SHA-256
-- (hex) is enough: there is nothing to guess that a slow hash would protect. The first 8
-- characters ("vsk_AbCd") stay readable so that a person can tell which key they hold.
ALTER TABLE auth.memberships RENAME COLUMN api_key TO api_key_hash;
ALTER TABLE auth.memberships
  ADD COLUMN api_key_prefix text NOT NULL DEFAULT '',
  ADD COLUMN api_key_created_at timestamptz NOT NULL DEFAULT now();
-- In one UPDATE every expression reads the old row: the prefix is taken from the plain key.
UPDATE auth.memberships
   SET api_key_prefix = left(api_key_hash, 8),
       api_key_hash = encode(sha256(convert_to(api_key_hash, 'UTF8')), 'hex'),
       api_key_created_at = created_at;

-- The key shown in a login answer (docs/decisions.md, "API keys are hashed"): a fresh key per
-- login, for the membership it entered, that works only while that login lives (not revoked,
-- not expired).
CREATE TABLE auth.login_api_keys (
  key_hash   text PRIMARY KEY,
  user_id    char(24) NOT NULL REFERENCES auth.memberships(id) ON DELETE CASCADE,
  sid        uuid NOT NULL REFERENCES auth.sessions(sid) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_api_keys_user_idx ON auth.login_api_keys (user_id);
CREATE INDEX login_api_keys_sid_idx ON auth.login_api_keys (sid);

-- One avatar per membership, re-encoded (never the uploaded bytes). A new upload gets a new id,
-- so its URL changes and caches never show the old picture.
CREATE TABLE auth.avatars (
  id              char(24) PRIMARY KEY,
  user_id         char(24) NOT NULL UNIQUE REFERENCES auth.memberships(id) ON DELETE CASCADE,
  organization_id char(24) NOT NULL REFERENCES auth.organizations(id) ON DELETE CASCADE,
  content_type    text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
  data            bytea NOT NULL,
  sha256          text NOT NULL,
  width           integer NOT NULL,
  height          integer NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX avatars_org_idx ON auth.avatars (organization_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.avatars TO auth_tenant;
ALTER TABLE auth.avatars ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON auth.avatars TO auth_tenant USING (auth.in_scope(organization_id));
