-- production/schema.sql: production tracking - per project: entity types (Episode, Sequence,
-- Shot, asset types), entities with parents, frame ranges and custom fields, casting, task
-- types, task statuses with their rules, tasks (entity x task type) with assignees, and the
-- comment thread of a task. Kitsu's words where they fit. Written in the SQL subset SQLite
-- and PostgreSQL share.

-- migration 1: entity types, entities, fields, casting, task types, statuses, tasks, comments
CREATE TABLE entity_type (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    name TEXT NOT NULL,                -- "Shot", "Character"
    kind TEXT NOT NULL,                -- episode, sequence, shot, asset (what it behaves as)
    parent_type_id TEXT REFERENCES entity_type (id), -- Shot -> Sequence -> Episode
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX entity_type_name ON entity_type (project_id, name);

-- Custom fields: typed, with choices; entity_type_id NULL applies to every type.
CREATE TABLE entity_field (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    entity_type_id TEXT REFERENCES entity_type (id),
    key TEXT NOT NULL,                 -- "location", lower-case slug: the JSON key
    label TEXT NOT NULL,
    type TEXT NOT NULL,                -- text, number, date, bool, choice, choices
    choices TEXT NOT NULL DEFAULT '[]',
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX entity_field_key ON entity_field (project_id, key);

CREATE TABLE entity (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    type_id TEXT NOT NULL REFERENCES entity_type (id),
    parent_id TEXT REFERENCES entity (id),
    name TEXT NOT NULL,                -- "SH010", "EP03"
    description TEXT NOT NULL DEFAULT '',
    frame_in INTEGER,
    frame_out INTEGER,
    fps TEXT,                          -- rational "24000/1001"; NULL: the project's
    fields TEXT NOT NULL DEFAULT '{}', -- custom field values by key, JSON object
    position INTEGER NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
-- A name is unique among its siblings of one type ("SH010" in each sequence).
CREATE UNIQUE INDEX entity_name ON entity (project_id, type_id, COALESCE(parent_id, ''), name)
    WHERE deleted_at IS NULL;
CREATE INDEX entity_parent ON entity (parent_id, position, name) WHERE deleted_at IS NULL;
CREATE INDEX entity_project_type ON entity (project_id, type_id, name) WHERE deleted_at IS NULL;

-- Which assets (entities of kind asset) appear in which shot, and how many times.
CREATE TABLE casting (
    shot_id TEXT NOT NULL REFERENCES entity (id),
    asset_id TEXT NOT NULL REFERENCES entity (id),
    occurrences INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (shot_id, asset_id)
);
CREATE INDEX casting_asset ON casting (asset_id);

CREATE TABLE task_type (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    name TEXT NOT NULL,                -- "Animation"
    department TEXT NOT NULL DEFAULT '',
    color TEXT NOT NULL,               -- "#3273dc"
    for_kind TEXT NOT NULL,            -- shot, asset, episode, sequence: where it applies
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX task_type_name ON task_type (project_id, name);

CREATE TABLE task_status (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    name TEXT NOT NULL,                -- "Waiting for approval"
    short_name TEXT NOT NULL,          -- "wfa"
    color TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,  -- new tasks start here (exactly one)
    is_done INTEGER NOT NULL DEFAULT 0,
    is_retake INTEGER NOT NULL DEFAULT 0,   -- entering it counts a retake
    is_feedback_request INTEGER NOT NULL DEFAULT 0, -- sent for review: clients see it
    is_artist_allowed INTEGER NOT NULL DEFAULT 0,   -- artists may set it
    is_client_allowed INTEGER NOT NULL DEFAULT 0,   -- clients may set it (reviewing)
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX task_status_short ON task_status (project_id, short_name);

CREATE TABLE task (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    entity_id TEXT NOT NULL REFERENCES entity (id),
    task_type_id TEXT NOT NULL REFERENCES task_type (id),
    status_id TEXT NOT NULL REFERENCES task_status (id),
    priority INTEGER NOT NULL DEFAULT 0,    -- 0 normal, 1 high, 2 very high, 3 emergency
    estimate INTEGER,                       -- minutes
    start_date TEXT,                        -- YYYY-MM-DD
    due_date TEXT,
    time_spent INTEGER NOT NULL DEFAULT 0,  -- minutes, the sum of the time log
    retake_count INTEGER NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX task_entity_type ON task (entity_id, task_type_id);
CREATE INDEX task_project ON task (project_id, task_type_id, status_id);

-- Assignees are users; a vendor's people are assigned like anyone else, and the vendor
-- organization sees the tasks its people hold.
CREATE TABLE task_assignee (
    task_id TEXT NOT NULL REFERENCES task (id),
    user_id TEXT NOT NULL REFERENCES user_account (id),
    PRIMARY KEY (task_id, user_id)
);
CREATE INDEX task_assignee_user ON task_assignee (user_id, task_id);

CREATE TABLE task_comment (
    id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL REFERENCES task (id),
    author_id TEXT NOT NULL REFERENCES user_account (id),
    text TEXT NOT NULL,
    status_id TEXT REFERENCES task_status (id), -- the status set with this comment
    checklist TEXT NOT NULL DEFAULT '[]',       -- [{"text": ..., "checked": bool}]
    attachments TEXT NOT NULL DEFAULT '[]',     -- asset ids from the asset library
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX task_comment_task ON task_comment (task_id, id);

CREATE TABLE task_follower (
    task_id TEXT NOT NULL REFERENCES task (id),
    user_id TEXT NOT NULL REFERENCES user_account (id),
    PRIMARY KEY (task_id, user_id)
);

-- In-app notifications: assignment, mention, status change on a followed task.
CREATE TABLE notification (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES user_account (id),
    kind TEXT NOT NULL,                -- assignment, mention, status, comment
    project_id TEXT NOT NULL,
    task_id TEXT,
    comment_id TEXT,
    actor_id TEXT,
    summary TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notification_user ON notification (user_id, id);
CREATE INDEX notification_unread ON notification (user_id) WHERE read_at IS NULL;

-- migration 2: the production revision of a project
-- Raised in the transaction of every production write (prod_event); cached answers such as the
-- grid are served only at the revision they were built at.
CREATE TABLE production_revision (
    project_id TEXT PRIMARY KEY REFERENCES project (id),
    revision BIGINT NOT NULL
);
