-- assets/schema.sql: the media asset library: the content-addressed chunk store's index,
-- assets and their versions (each a manifest of chunks), probe results, derivatives,
-- resumable uploads and share links. Written in the SQL subset SQLite and PostgreSQL share.

-- migration 1: chunks, assets, versions, derivatives, uploads, shares
-- One row per distinct chunk in the blob store (instance-wide: identical bytes are stored
-- once, whoever uploads them). The blob key is chunks/<d[0:2]>/<d[2:4]>/<digest>[.zst].
CREATE TABLE chunk (
    digest TEXT PRIMARY KEY,           -- BLAKE3-256 of the raw bytes, hex
    size INTEGER NOT NULL,             -- raw bytes
    stored_size INTEGER NOT NULL,      -- bytes in the blob store
    codec TEXT NOT NULL,               -- raw, zstd
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,             -- last stored or referenced: gc keeps it a grace period
    damaged_at TEXT                    -- verify or a read found bytes that do not match
);
CREATE INDEX chunk_seen ON chunk (seen_at);

-- Which organizations have proven they hold a chunk (uploaded its bytes). "Which chunks do
-- you lack?" answers from this, so nobody learns what another organization stored.
CREATE TABLE chunk_owner (
    org_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, digest)
);

CREATE TABLE asset (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    folder TEXT NOT NULL,              -- "/" or "/EP03/camera/A001"
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                -- video, audio, image, image_sequence, subtitle, document, other
    sequence TEXT,                     -- image sequences: "plate.####.exr"
    tags TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    fields TEXT NOT NULL DEFAULT '{}', -- custom fields, JSON object
    current_number INTEGER NOT NULL,   -- the version downloads and lists show
    latest_number INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX asset_path ON asset (project_id, folder, name) WHERE deleted_at IS NULL;
CREATE INDEX asset_project ON asset (project_id, folder, id);

CREATE TABLE asset_version (
    id TEXT PRIMARY KEY,
    asset_id TEXT NOT NULL REFERENCES asset (id),
    number INTEGER NOT NULL,           -- 1, 2, ... shown as v001
    filename TEXT NOT NULL,
    size BIGINT NOT NULL,
    digest TEXT NOT NULL,              -- BLAKE3-256 of the whole content, hex
    chunks INTEGER NOT NULL,
    kind TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    restored_from INTEGER,             -- a restore copies an older version's manifest
    probe_state TEXT NOT NULL,         -- pending, done, failed, skipped
    probe_error TEXT,
    probe TEXT,                        -- JSON from media_probe
    -- The probe's summary, as columns for filters ("4K HDR ProRes in episode 3").
    container TEXT,
    duration DOUBLE PRECISION,
    width INTEGER,
    height INTEGER,
    fps TEXT,
    video_codec TEXT,
    video_profile TEXT,
    hdr TEXT,
    audio_codec TEXT,
    audio_channels INTEGER,
    sample_rate INTEGER,
    UNIQUE (asset_id, number)
);

-- The manifest: the chunks of a version in order.
CREATE TABLE version_chunk (
    version_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    digest TEXT NOT NULL,
    offset_bytes BIGINT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (version_id, seq)
);
CREATE INDEX version_chunk_digest ON version_chunk (digest);

CREATE TABLE derivative (
    version_id TEXT NOT NULL,
    kind TEXT NOT NULL,                -- thumbnail, filmstrip, proxy, waveform
    state TEXT NOT NULL,               -- pending, done, failed
    blob_key TEXT,
    mime TEXT,
    size BIGINT,
    meta TEXT,                         -- JSON (filmstrip geometry, waveform peaks, ...)
    error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (version_id, kind)
);

-- tus uploads in progress: the bytes are in <data>/uploads/<id>.part until complete.
CREATE TABLE upload (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    project_id TEXT NOT NULL,
    folder TEXT NOT NULL,
    filename TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    length BIGINT NOT NULL,
    offset_bytes BIGINT NOT NULL DEFAULT 0,  -- durable bytes received
    metadata TEXT NOT NULL,            -- the Upload-Metadata header as sent
    state TEXT NOT NULL,               -- receiving, done
    asset_id TEXT,
    version_number INTEGER,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX upload_expires ON upload (expires_at);

CREATE TABLE share (
    id TEXT PRIMARY KEY,
    asset_id TEXT NOT NULL REFERENCES asset (id),
    project_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,   -- keyed hash of the link's token
    mode TEXT NOT NULL,                -- view (proxy only) or download
    version_number INTEGER,            -- NULL: the current version at access time
    passphrase_hash TEXT,              -- argon2id, optional
    note TEXT NOT NULL DEFAULT '',
    expires_at TEXT,
    revoked_at TEXT,
    access_count INTEGER NOT NULL DEFAULT 0,
    last_access_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX share_asset ON share (asset_id, id);
