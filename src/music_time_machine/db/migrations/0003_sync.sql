-- Background sync bookkeeping: one state row per user (lease, rate-limit pause, cursors)
-- and one row per run for the Settings page.

CREATE TABLE sync_state (
    user_id           INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    lease_owner       TEXT,               -- who runs a sync now (process/thread id)
    lease_until       INTEGER,            -- epoch s; an expired lease may be taken over
    resume_after      INTEGER,            -- epoch s; Spotify asked us to wait (429)
    last_success_at   INTEGER,            -- epoch s of the last run that completed
    snapshot_taken_on TEXT                -- UTC date of the last top-items snapshot
);

CREATE TABLE sync_runs (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    trigger      TEXT    NOT NULL CHECK (trigger IN ('schedule', 'manual', 'cli', 'login')),
    started_at   INTEGER NOT NULL,        -- epoch s
    finished_at  INTEGER,
    outcome      TEXT    NOT NULL DEFAULT 'running'
                 CHECK (outcome IN ('running', 'ok', 'partial', 'rate_limited', 'failed',
                                    'needs_reconnect', 'skipped')),
    plays_added  INTEGER NOT NULL DEFAULT 0,
    details      TEXT    NOT NULL DEFAULT '{}',  -- JSON: what was fetched
    error        TEXT
);
CREATE INDEX sync_runs_user ON sync_runs(user_id, started_at DESC);
