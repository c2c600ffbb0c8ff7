-- Organizations (tenants). tenant_id is the slug shown in tokens and the API ("my-org").
CREATE TABLE auth.organizations (
  id          char(24) PRIMARY KEY,
  tenant_id   text NOT NULL UNIQUE,
  name        text NOT NULL,
  otp_enabled boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A person: one email, one globally unique username, one password, in any number of organizations.
CREATE TABLE auth.persons (
  id             char(24) PRIMARY KEY,
  email          text NOT NULL,
  username       text NOT NULL,
  first_name     text NOT NULL,
  last_name      text NOT NULL,
  email_verified boolean NOT NULL DEFAULT false,
  keycloak_id    text NOT NULL DEFAULT '',
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX persons_email_key ON auth.persons (lower(email));
CREATE UNIQUE INDEX persons_username_key ON auth.persons (lower(username));

-- The built-in credential store (argon2id). The Keycloak store keeps passwords in Keycloak instead.
CREATE TABLE auth.credentials (
  person_id     char(24) PRIMARY KEY REFERENCES auth.persons(id) ON DELETE CASCADE,
  password_hash text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A person's place in one organization. Its id is the API's user_id.
CREATE TABLE auth.memberships (
  id              char(24) PRIMARY KEY,
  person_id       char(24) NOT NULL REFERENCES auth.persons(id) ON DELETE CASCADE,
  organization_id char(24) NOT NULL REFERENCES auth.organizations(id) ON DELETE CASCADE,
  role            text NOT NULL CHECK (role IN ('user', 'company_admin', 'super_admin')),
  machine_role    text NOT NULL DEFAULT '',
  api_key         text NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (person_id, organization_id)
);
CREATE INDEX memberships_org_idx ON auth.memberships (organization_id);

-- One row per login: its id is the `sid` claim of every token that login produced.
CREATE TABLE auth.sessions (
  sid        uuid PRIMARY KEY,
  person_id  char(24) NOT NULL REFERENCES auth.persons(id) ON DELETE CASCADE,
  source     text NOT NULL,
  client_ip  text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_person_idx ON auth.sessions (person_id);
