-- production/review.sql: review of the work submitted on tasks - versions (an asset version of
-- the asset library, numbered per task), frame notes with drawn annotations, per-version
-- approval, playlists for dailies, and review links for people without an account (which open
-- the asset library's share links of their versions). Written in the SQL subset SQLite and
-- PostgreSQL share.
--
-- task_id columns are not foreign keys on purpose: deleting a task (tasks.c) removes its own
-- rows and must not be blocked by reviews; versions of a deleted task are hidden by the joins.

-- migration 1: versions, notes, playlists, review links
CREATE TABLE review_version (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    task_id TEXT NOT NULL,
    number INTEGER NOT NULL,           -- 1, 2, ... per task
    asset_id TEXT NOT NULL REFERENCES asset (id),
    asset_version INTEGER NOT NULL,    -- the asset library's version number, pinned
    text TEXT NOT NULL DEFAULT '',
    submitted_by TEXT NOT NULL REFERENCES user_account (id),
    comment_id TEXT,                   -- the task comment that announced it
    review_status TEXT NOT NULL DEFAULT 'pending', -- pending, approved, changes_requested
    reviewed_by TEXT,
    reviewed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX review_version_number ON review_version (task_id, number);
CREATE INDEX review_version_project ON review_version (project_id, id);

CREATE TABLE review_note (
    id TEXT PRIMARY KEY,
    version_id TEXT NOT NULL REFERENCES review_version (id),
    project_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    frame INTEGER NOT NULL,            -- 0 is the first frame of the media
    frame_out INTEGER,
    text TEXT NOT NULL,
    annotations TEXT NOT NULL DEFAULT '[]', -- normalized shapes, JSON array
    author_id TEXT REFERENCES user_account (id), -- NULL for a guest
    guest_name TEXT,                   -- a guest's name (review links)
    link_id TEXT,                      -- the review link a guest wrote through
    resolved INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX review_note_version ON review_note (version_id, frame, id);

CREATE TABLE playlist (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    name TEXT NOT NULL,
    audience TEXT NOT NULL,            -- team, client
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX playlist_project ON playlist (project_id, id);

CREATE TABLE playlist_item (
    playlist_id TEXT NOT NULL REFERENCES playlist (id),
    position INTEGER NOT NULL,         -- 1, 2, ...
    version_id TEXT NOT NULL REFERENCES review_version (id),
    PRIMARY KEY (playlist_id, position)
);
CREATE INDEX playlist_item_version ON playlist_item (version_id);

-- A review link: a random token (shown once; its keyed hash is kept) for a playlist or one
-- version. Each version it shows has a view share link of the asset library, whose token is
-- kept sealed (core/seal.h) to build media URLs.
CREATE TABLE review_link (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    playlist_id TEXT REFERENCES playlist (id),
    version_id TEXT REFERENCES review_version (id),
    token_hash TEXT NOT NULL UNIQUE,
    passphrase_hash TEXT,              -- argon2id, optional
    allow_notes INTEGER NOT NULL DEFAULT 1,
    note TEXT NOT NULL DEFAULT '',
    expires_at TEXT,
    revoked_at TEXT,
    note_count INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX review_link_project ON review_link (project_id, id);
CREATE INDEX review_link_playlist ON review_link (playlist_id);

CREATE TABLE review_link_share (
    link_id TEXT NOT NULL REFERENCES review_link (id),
    version_id TEXT NOT NULL REFERENCES review_version (id),
    share_id TEXT NOT NULL REFERENCES share (id),
    token_sealed TEXT NOT NULL,        -- the share's token, sealed with the server key
    PRIMARY KEY (link_id, version_id)
);

-- migration 2: slow down passphrase guessing on review links
-- From the fifth wrong passphrase on, a link waits 1, 2, 4 ... up to 60 seconds before it
-- checks the next one (429); a right passphrase starts the count over.
ALTER TABLE review_link ADD COLUMN pass_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE review_link ADD COLUMN pass_blocked_until TEXT;
