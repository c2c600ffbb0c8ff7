-- The community board of each organization: issues, fixes, likes and uploaded images.
-- Every row carries its organization (tenant_id); composite foreign keys keep a fix on an issue of
-- the same organization, and a like on a fix of the same organization, whatever the code does.

-- array_to_string is only STABLE in general; for text[] it is immutable, which a generated column needs.
CREATE FUNCTION community.tags_text(tags text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT array_to_string(tags, ' ') $$;

CREATE TABLE community.issues (
  id text PRIMARY KEY,                            -- ObjectID-shaped
  tenant_id text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,                             -- Markdown, exactly as written
  tags text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'solved')),
  author_id text NOT NULL,
  author_username text NOT NULL,
  accepted_fix_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  solved_at timestamptz,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', community.tags_text(tags)), 'A')
    || setweight(to_tsvector('english', left(body, 100000)), 'B')) STORED,
  UNIQUE (id, tenant_id)
);
CREATE INDEX issues_tenant_created ON community.issues (tenant_id, created_at DESC);
CREATE INDEX issues_tenant_status ON community.issues (tenant_id, status, created_at DESC);
CREATE INDEX issues_tenant_updated ON community.issues (tenant_id, updated_at DESC);
CREATE INDEX issues_search ON community.issues USING gin (search);
CREATE INDEX issues_tags ON community.issues USING gin (tags);

CREATE TABLE community.fixes (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  issue_id text NOT NULL,
  body text NOT NULL,                             -- Markdown, exactly as written
  author_id text NOT NULL,
  author_username text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, tenant_id),
  UNIQUE (id, issue_id),
  FOREIGN KEY (issue_id, tenant_id) REFERENCES community.issues (id, tenant_id) ON DELETE CASCADE
);
CREATE INDEX fixes_issue ON community.fixes (issue_id, created_at);

-- The accepted fix is one of the issue's own fixes.
ALTER TABLE community.issues ADD FOREIGN KEY (accepted_fix_id, id) REFERENCES community.fixes (id, issue_id)
  ON DELETE SET NULL (accepted_fix_id);

-- One like per person per fix: the primary key is what makes racing likes count once.
CREATE TABLE community.fix_likes (
  fix_id text NOT NULL,
  user_id text NOT NULL,
  tenant_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (fix_id, user_id),
  FOREIGN KEY (fix_id, tenant_id) REFERENCES community.fixes (id, tenant_id) ON DELETE CASCADE
);

-- Uploaded images, re-encoded (no metadata, no trailing bytes) before they are stored.
CREATE TABLE community.images (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  uploaded_by text NOT NULL,
  content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
  width integer NOT NULL,
  height integer NOT NULL,
  size integer NOT NULL,
  sha256 text NOT NULL,
  data bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX images_tenant ON community.images (tenant_id, created_at DESC);

-- Tenant isolation in the database itself: queries made for a caller run as community_tenant with
-- app.tenant_id set for their transaction (BoardRepository.forTenant), so a query that forgot its
-- WHERE clause still cannot see or write another organization's board.
DO $$ BEGIN CREATE ROLE community_tenant NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT community_tenant TO CURRENT_USER;
GRANT USAGE ON SCHEMA community TO community_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON community.issues, community.fixes, community.fix_likes, community.images TO community_tenant;
GRANT EXECUTE ON FUNCTION community.tags_text(text[]) TO community_tenant;

CREATE FUNCTION community.in_scope(tenant text) RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT tenant = current_setting('app.tenant_id', true) $$;
GRANT EXECUTE ON FUNCTION community.in_scope(text) TO community_tenant;

ALTER TABLE community.issues ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON community.issues TO community_tenant USING (community.in_scope(tenant_id)) WITH CHECK (community.in_scope(tenant_id));
ALTER TABLE community.fixes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON community.fixes TO community_tenant USING (community.in_scope(tenant_id)) WITH CHECK (community.in_scope(tenant_id));
ALTER TABLE community.fix_likes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON community.fix_likes TO community_tenant USING (community.in_scope(tenant_id)) WITH CHECK (community.in_scope(tenant_id));
ALTER TABLE community.images ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON community.images TO community_tenant USING (community.in_scope(tenant_id)) WITH CHECK (community.in_scope(tenant_id));
