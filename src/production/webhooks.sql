-- production/webhooks.sql: project webhooks - a URL that is told about production changes
-- (task.*, entity.*, ...) with signed HTTP POSTs - and the log of their deliveries, one row
-- per event and webhook, kept with the outcome of the last attempt. Written in the SQL subset
-- SQLite and PostgreSQL share.

-- migration 1: webhooks and deliveries
CREATE TABLE webhook (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,              -- JSON array of patterns: "task.*", "comment.created", "*"
    active INTEGER NOT NULL DEFAULT 1,
    secret_sealed TEXT NOT NULL,       -- core/seal.h, purpose "webhook": the server signs with it
    disabled_reason TEXT,              -- why the server turned it off (a 410 answer), or NULL
    last_delivery_status TEXT,         -- pending, delivered, failed of the latest attempt
    last_delivery_at TEXT,
    created_by TEXT REFERENCES user_account (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
-- Every production write asks this index for the project's active webhooks.
CREATE INDEX webhook_project ON webhook (project_id, active);

CREATE TABLE webhook_delivery (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhook (id),
    project_id TEXT NOT NULL REFERENCES project (id),
    event TEXT NOT NULL,               -- "task.updated", "ping"
    origin TEXT NOT NULL,              -- event, ping, redelivery
    redelivery_of TEXT,                -- the delivery this one repeats
    payload TEXT NOT NULL,             -- the JSON body, exactly as sent
    status TEXT NOT NULL,              -- pending, delivered, failed
    attempts INTEGER NOT NULL DEFAULT 0,
    last_http_status INTEGER,
    last_error TEXT,
    duration_ms INTEGER,               -- of the last attempt
    created_at TEXT NOT NULL,
    last_attempt_at TEXT,
    delivered_at TEXT
);
CREATE INDEX webhook_delivery_hook ON webhook_delivery (webhook_id, id);
