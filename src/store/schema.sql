-- store/schema.sql: tables of the store layer itself: the durable job queue and the
-- idempotency keys of create requests. Written in the SQL subset SQLite and PostgreSQL share.

-- migration 1: job queue and idempotency keys
CREATE TABLE job (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,             -- queued, running, done, dead
    priority INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at TEXT NOT NULL,            -- not before this time
    lease_until TEXT,                -- running: the claim expires at this time
    worker TEXT,
    unique_key TEXT,                 -- at most one queued/running job per key
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX job_ready ON job (state, run_at);
CREATE INDEX job_lease ON job (state, lease_until);
CREATE UNIQUE INDEX job_unique_active ON job (unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('queued', 'running');

CREATE TABLE idempotency_key (
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT,
    location TEXT,
    etag TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idempotency_key_created ON idempotency_key (created_at);
