-- Background jobs beyond uploads (re-bucketing after a time-zone or play-rule change) and a
-- job's end by the user's Cancel or the time bound (MTM_JOB_MAX_SECONDS): 'cancelled'.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
CREATE TABLE import_jobs_new (
    id          TEXT    PRIMARY KEY,              -- random, unguessable
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL DEFAULT 'export'
                CHECK (kind IN ('export', 'restore', 'rebucket')),
    status      TEXT    NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    progress    REAL    NOT NULL DEFAULT 0,       -- 0..1
    message     TEXT    NOT NULL DEFAULT '',
    summary     TEXT,                             -- JSON, when done
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
INSERT INTO import_jobs_new SELECT id, user_id, kind, status, progress, message, summary,
    created_at, finished_at FROM import_jobs;
DROP TABLE import_jobs;
ALTER TABLE import_jobs_new RENAME TO import_jobs;
CREATE INDEX import_jobs_user ON import_jobs(user_id, created_at DESC);
