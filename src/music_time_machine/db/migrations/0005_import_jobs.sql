-- Background imports started from the web page: progress and the final summary.
CREATE TABLE import_jobs (
    id          TEXT    PRIMARY KEY,              -- random, unguessable
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL DEFAULT 'export' CHECK (kind IN ('export', 'restore')),
    status      TEXT    NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress    REAL    NOT NULL DEFAULT 0,       -- 0..1
    message     TEXT    NOT NULL DEFAULT '',
    summary     TEXT,                             -- JSON, when done
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX import_jobs_user ON import_jobs(user_id, created_at DESC);
