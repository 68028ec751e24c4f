-- Open music metadata (issue #18, DESIGN §4a): what MusicBrainz says about each artist of a
-- user's catalogue, and the enrichment job that finds it. Per user like the catalogue:
-- every row hangs off one user's artists (or tracks) and goes with them.

-- One row per artist looked up. ``status`` 'matched' carries the MBID, how it was found
-- ('exact': MusicBrainz relates the artist's Spotify URL; 'name': by name, with the user's
-- own track titles where the name is shared) and a confidence 0..1; 'not_found' means no
-- candidate reached the threshold (kept, with the best rejected confidence, so the job does
-- not ask again until the refresh). ``looked_up_at`` (unix seconds) drives the 90-day refresh.
-- ``genres`` is MusicBrainz's genres for the artist as a JSON array, most voted first
-- (NULL until matched); tags and votes are in artist_tags.
CREATE TABLE artist_metadata (
    artist_id     INTEGER PRIMARY KEY REFERENCES artists(id) ON DELETE CASCADE,
    status        TEXT    NOT NULL CHECK (status IN ('matched', 'not_found')),
    mbid          TEXT,
    match_method  TEXT    CHECK (match_method IN ('exact', 'name')),
    confidence    REAL    NOT NULL DEFAULT 0,
    genres        TEXT,
    looked_up_at  INTEGER NOT NULL,
    CHECK ((status = 'matched') = (mbid IS NOT NULL AND match_method IS NOT NULL))
);

-- Genres and free tags with MusicBrainz's vote counts (kind 'genre' or 'tag').
CREATE TABLE artist_tags (
    artist_id  INTEGER NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('genre', 'tag')),
    name       TEXT    NOT NULL,
    votes      INTEGER NOT NULL,
    PRIMARY KEY (artist_id, kind, name)
) WITHOUT ROWID;

-- Tags of a recording that matched one of the user's tracks (where MusicBrainz has any).
CREATE TABLE track_tags (
    track_id   INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    votes      INTEGER NOT NULL,
    PRIMARY KEY (track_id, name)
) WITHOUT ROWID;

-- MusicBrainz's genre list (genre/all), shared: it is public data about genres, not about
-- anyone's listening. Search results carry tags only; a tag in this list is a genre.
CREATE TABLE musicbrainz_genres (
    name        TEXT PRIMARY KEY,
    fetched_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Users whose enrichment is wanted and not finished: set when an import, a sync with new
-- artists or the Settings button asks for it, cleared when a run finishes or the user
-- cancels. ``mtm serve`` starts a run for every row left by a stopped process.
CREATE TABLE enrichment_wanted (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    requested_at  INTEGER NOT NULL,
    reason        TEXT    NOT NULL
);

-- The enrichment job is a background job like an import: the kinds' CHECK gains 'enrich'.
CREATE TABLE import_jobs_new (
    id          TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL DEFAULT 'export'
                CHECK (kind IN ('export', 'restore', 'rebucket', 'enrich')),
    status      TEXT    NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    progress    REAL    NOT NULL DEFAULT 0,
    message     TEXT    NOT NULL DEFAULT '',
    summary     TEXT,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
INSERT INTO import_jobs_new SELECT id, user_id, kind, status, progress, message, summary,
    created_at, finished_at FROM import_jobs;
DROP TABLE import_jobs;
ALTER TABLE import_jobs_new RENAME TO import_jobs;
CREATE INDEX import_jobs_user ON import_jobs(user_id, created_at DESC);
