-- auth/schema.sql: accounts, organizations, projects and how they are shared, sign-in
-- sessions, API tokens, invitations, and the event log every module appends to.
-- Written in the SQL subset SQLite and PostgreSQL share. Times are RFC 3339 UTC text.

-- migration 1: accounts, organizations, projects, sharing, credentials, events
CREATE TABLE user_account (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,         -- stored lower-case
    display_name TEXT NOT NULL,
    locale TEXT NOT NULL,
    password_hash TEXT NOT NULL,        -- argon2id (libsodium crypto_pwhash_str)
    is_admin INTEGER NOT NULL DEFAULT 0, -- instance administrator
    disabled INTEGER NOT NULL DEFAULT 0,
    password_changed_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE org (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,          -- handle partners use to find it: "hk-pictures"
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- studio, broadcaster, platform, distributor, agency, school, other
    description TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES user_account (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE membership (
    org_id TEXT NOT NULL REFERENCES org (id),
    user_id TEXT NOT NULL REFERENCES user_account (id),
    role TEXT NOT NULL,                 -- owner, admin, member, viewer
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX membership_user ON membership (user_id, org_id);

CREATE TABLE project (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES org (id),
    name TEXT NOT NULL,
    code TEXT NOT NULL DEFAULT '',      -- short code used in file and shot names: "SHW"
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,               -- active, archived
    created_by TEXT REFERENCES user_account (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX project_org ON project (org_id, id);
CREATE INDEX project_deleted ON project (org_id) WHERE deleted_at IS NOT NULL;

CREATE TABLE project_partner (
    project_id TEXT NOT NULL REFERENCES project (id),
    org_id TEXT NOT NULL REFERENCES org (id),
    role TEXT NOT NULL,                 -- co-producer, vendor, distributor, client
    created_by TEXT REFERENCES user_account (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (project_id, org_id)
);
CREATE INDEX project_partner_org ON project_partner (org_id, project_id);

CREATE TABLE project_member (
    project_id TEXT NOT NULL REFERENCES project (id),
    user_id TEXT NOT NULL REFERENCES user_account (id),
    role TEXT NOT NULL,                 -- admin, member, vendor, client, viewer
    created_by TEXT REFERENCES user_account (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_member_user ON project_member (user_id, project_id);

CREATE TABLE session (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,    -- keyed BLAKE2b of the cookie value
    user_id TEXT NOT NULL REFERENCES user_account (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_user ON session (user_id);
CREATE INDEX session_expires ON session (expires_at);

CREATE TABLE api_token (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES user_account (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,    -- keyed BLAKE2b of the token
    prefix TEXT NOT NULL,               -- first characters, to recognise it in lists
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_token_user ON api_token (user_id, id);

CREATE TABLE invitation (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES org (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT REFERENCES user_account (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by TEXT REFERENCES user_account (id),
    revoked_at TEXT
);
CREATE INDEX invitation_org ON invitation (org_id, id);

CREATE TABLE signin_throttle (
    bucket TEXT PRIMARY KEY,            -- "email:<address>" or "ip:<address>"
    failures INTEGER NOT NULL,
    window_start TEXT NOT NULL,
    next_allowed_at TEXT NOT NULL,
    locked_until TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE event (
    seq INTEGER PRIMARY KEY,            -- commit order; the feed's cursor
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor_id TEXT,                      -- NULL: the system
    action TEXT NOT NULL,               -- "project.created", "org.member.added", ...
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    org_id TEXT,                        -- the organization that owns the object
    project_id TEXT,
    body TEXT NOT NULL                  -- the event as the API shows it, after "seq":
);
CREATE INDEX event_project ON event (project_id, seq);
CREATE INDEX event_org ON event (org_id, seq);
CREATE INDEX event_object ON event (object_id, seq);
CREATE INDEX event_actor ON event (actor_id, seq);
