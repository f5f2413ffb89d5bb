-- production/schedule.sql: the production schedule - task dependencies (finish-to-start with a
-- lag in days), milestones, time logs per person and day, and the status history of every
-- task (the burn-up chart reads it). Tables of the production module, kept in their own file
-- so that their migrations are numbered apart from production/schema.sql. Written in the SQL
-- subset SQLite and PostgreSQL share. A task's rows here go with the task (ON DELETE CASCADE:
-- SQLite runs with foreign_keys=ON).

-- migration 1: task dependencies, milestones, time logs, task status log
CREATE TABLE task_dependency (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    task_id TEXT NOT NULL REFERENCES task (id) ON DELETE CASCADE,    -- the successor
    depends_on TEXT NOT NULL REFERENCES task (id) ON DELETE CASCADE, -- the predecessor
    lag_days INTEGER NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX task_dependency_pair ON task_dependency (task_id, depends_on);
CREATE INDEX task_dependency_pred ON task_dependency (depends_on);
CREATE INDEX task_dependency_project ON task_dependency (project_id);

CREATE TABLE milestone (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    entity_id TEXT REFERENCES entity (id), -- an episode, or NULL for the whole project
    name TEXT NOT NULL,
    date TEXT NOT NULL,                    -- YYYY-MM-DD
    color TEXT NOT NULL,
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX milestone_project ON milestone (project_id, date);

-- Minutes one person spent on one task on one day; task.time_spent is their sum.
CREATE TABLE time_log (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES project (id),
    task_id TEXT NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES user_account (id),
    day TEXT NOT NULL,                      -- YYYY-MM-DD
    minutes INTEGER NOT NULL,               -- 1..1440
    created_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX time_log_task_user_day ON time_log (task_id, user_id, day);
CREATE INDEX time_log_user_day ON time_log (user_id, day);
CREATE INDEX time_log_project_day ON time_log (project_id, day);

-- One row when a task is created and one whenever its status changes: the status it entered,
-- whether that status counts as done, and when.
CREATE TABLE task_status_log (
    task_id TEXT NOT NULL REFERENCES task (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES project (id),
    status_id TEXT NOT NULL REFERENCES task_status (id),
    is_done INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL
);
CREATE INDEX task_status_log_task ON task_status_log (task_id, at);
CREATE INDEX task_status_log_project ON task_status_log (project_id, at);
-- Tasks made before this table existed: their present status, since their creation.
INSERT INTO task_status_log (task_id, project_id, status_id, is_done, at)
    SELECT t.id, t.project_id, t.status_id, ts.is_done, t.created_at
    FROM task t JOIN task_status ts ON ts.id = t.status_id;
