-- talent/schema.sql: the talent data center - profiles of the people who make films and
-- series, their credits, when they are unavailable, an organization's shortlists, invitations
-- to projects, claim links, and the search index. Written in the SQL subset SQLite and
-- PostgreSQL share, except the text index (talent_fts), which schema.pg.sql replaces.
--
-- Field visibility (talent_profile.visibility, JSON {"skills": "platform", ...}):
--   public    anyone, signed in or not
--   platform  any signed-in user of this instance
--   orgs      members of the organizations the person is tied to: the steward organization
--             and the organizations the person's account is a member of
--   private   the person alone (and, before the profile is claimed, its steward)
-- The search index and the facets hold only what every signed-in user may see (public and
-- platform fields); narrower fields are read per viewer from this table (talent/access.c).

-- migration 1: profiles, credits, unavailability, shortlists, invites, claim links, text index
-- No row until the first write (then one, id 1): migrate-store copies only into a database
-- whose tables are empty, so migrations seed no rows.
CREATE TABLE talent_revision (
    id INTEGER PRIMARY KEY,             -- always 1
    rev BIGINT NOT NULL                 -- raised by every talent write
);

-- Crafts an instance adds to the built-in list (talent/crafts.c).
CREATE TABLE talent_craft (
    code TEXT PRIMARY KEY,              -- [a-z0-9-]{2,40}
    label_en TEXT NOT NULL,
    label_zh TEXT NOT NULL,
    created_by TEXT REFERENCES user_account (id),
    created_at TEXT NOT NULL
);

CREATE TABLE talent_profile (
    seq INTEGER PRIMARY KEY,            -- the text index's row id
    id TEXT NOT NULL UNIQUE,
    user_id TEXT UNIQUE REFERENCES user_account (id), -- the account that claimed it
    steward_org_id TEXT REFERENCES org (id),          -- the organization that keeps it
    ref TEXT,                           -- the steward's own reference ("crew-0042"), CSV key
    primary_name TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '[]',   -- [{"name": "Tashi", "script": "Hans", "primary": true}]
    headline TEXT NOT NULL DEFAULT '',
    bio TEXT NOT NULL DEFAULT '',
    crafts TEXT NOT NULL DEFAULT '[]',  -- ["sound", "composer"]: craft codes, main first
    skills TEXT NOT NULL DEFAULT '[]',  -- ["Pro Tools", "boom operation"]
    languages TEXT NOT NULL DEFAULT '[]', -- [{"tag": "bo", "level": "native"}]
    country TEXT NOT NULL DEFAULT '',   -- ISO 3166-1 alpha-2 of the base
    region TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    travel TEXT NOT NULL DEFAULT 'national', -- local, regional, national, international
    affiliations TEXT NOT NULL DEFAULT '[]', -- [{"name": ..., "kind": "agency"|"union", "member_id": ...}]
    education TEXT NOT NULL DEFAULT '[]', -- [{"school": ..., "program": ..., "year": 2019}]
    showreel TEXT,                      -- {"asset_id", "number", "name"}: a pinned asset version
    portfolio TEXT NOT NULL DEFAULT '[]', -- [{"asset_id", "number", "name"}, ...]
    rate_currency TEXT,                 -- ISO 4217
    rate_day BIGINT,                    -- minor units per day
    rate_week BIGINT,
    contacts TEXT NOT NULL DEFAULT '{}', -- {"email": ..., "phone": ..., "website": ..., "wechat": ...}
    visibility TEXT NOT NULL,           -- {"field": "public" | "platform" | "orgs" | "private"}
    listed INTEGER NOT NULL DEFAULT 1,  -- 0: kept out of search and matching
    consent TEXT NOT NULL,              -- {"basis": "self"|"attested", "by": user, "at": time, "note": ...}
    rev BIGINT NOT NULL,                -- talent_revision.rev at the last change
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,                    -- erased: every personal field is blank
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX talent_profile_rev ON talent_profile (rev);
CREATE INDEX talent_profile_steward ON talent_profile (steward_org_id, id);
CREATE UNIQUE INDEX talent_profile_ref ON talent_profile (steward_org_id, ref);

-- What the search knows of a profile beyond its own row, kept by talent_touch in the same
-- transaction as every change: the summary of its credits and unavailable ranges, and the
-- text its index row was made from (a contentless index needs it to remove the row).
CREATE TABLE talent_doc (
    seq BIGINT PRIMARY KEY,             -- talent_profile.seq
    credits TEXT NOT NULL DEFAULT '{}', -- {"n": 5, "verified": 3, "crafts": {"sound": 3}, "orgs": [...], "last_year": 2024}
    unavailable TEXT NOT NULL DEFAULT '[]', -- [["2026-12-01", "2026-12-20"], ...]
    doc TEXT NOT NULL DEFAULT ''        -- the indexed text (folded), '' when not indexed
);

CREATE TABLE talent_credit (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES talent_profile (id),
    title TEXT NOT NULL,
    role TEXT NOT NULL,                 -- as credited: "Sound Recordist"
    craft TEXT,                         -- a craft code, when known
    year INTEGER,
    company TEXT NOT NULL DEFAULT '',
    org_id TEXT REFERENCES org (id),    -- the producing organization, which may verify it
    project_id TEXT REFERENCES project (id), -- production credits
    source TEXT NOT NULL,               -- manual, import, production
    verified_at TEXT,                   -- NULL: self-declared
    verified_by TEXT,
    start_date TEXT,                    -- production credits: the work's first and last day
    end_date TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX talent_credit_profile ON talent_credit (profile_id, id);
CREATE INDEX talent_credit_org ON talent_credit (org_id, id);
CREATE UNIQUE INDEX talent_credit_work ON talent_credit (profile_id, project_id, role);

CREATE TABLE talent_unavailable (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES talent_profile (id),
    start_date TEXT NOT NULL,           -- YYYY-MM-DD, first day
    end_date TEXT NOT NULL,             -- YYYY-MM-DD, last day
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX talent_unavailable_profile ON talent_unavailable (profile_id, start_date);

CREATE TABLE talent_shortlist (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES org (id),
    name TEXT NOT NULL,
    project_id TEXT REFERENCES project (id),
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX talent_shortlist_org ON talent_shortlist (org_id, id);

CREATE TABLE talent_shortlist_entry (
    shortlist_id TEXT NOT NULL REFERENCES talent_shortlist (id),
    profile_id TEXT NOT NULL REFERENCES talent_profile (id),
    note TEXT NOT NULL DEFAULT '',
    added_by TEXT,
    added_at TEXT NOT NULL,
    PRIMARY KEY (shortlist_id, profile_id)
);
CREATE INDEX talent_shortlist_entry_profile ON talent_shortlist_entry (profile_id);

CREATE TABLE talent_invite (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    org_id TEXT NOT NULL REFERENCES org (id), -- the project's organization
    profile_id TEXT NOT NULL REFERENCES talent_profile (id),
    user_id TEXT NOT NULL REFERENCES user_account (id), -- who may accept
    role TEXT NOT NULL,                 -- the project role on accepting: member, vendor, viewer
    craft TEXT,
    start_date TEXT,
    end_date TEXT,
    message TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,               -- pending, accepted, declined, withdrawn
    created_by TEXT,
    created_at TEXT NOT NULL,
    responded_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX talent_invite_project ON talent_invite (project_id, id);
CREATE INDEX talent_invite_user ON talent_invite (user_id, id);

CREATE TABLE talent_claim (
    token_hash TEXT PRIMARY KEY,        -- keyed BLAKE2b of the token
    profile_id TEXT NOT NULL REFERENCES talent_profile (id),
    email TEXT NOT NULL DEFAULT '',
    created_by TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX talent_claim_profile ON talent_claim (profile_id);

-- The text index: one row per listed profile (rowid = talent_profile.seq), its document the
-- n-grams of what every signed-in user may read (store/db_text.c), and row 0 a marker that
-- says the index is complete (an index copied by migrate-store is rebuilt).
CREATE VIRTUAL TABLE talent_fts USING fts5(doc, content='', columnsize=0, tokenize='ascii');
