-- Core schema. Times are UTC unless a column name says "local".
-- played_at is Unix epoch milliseconds (UTC) of the moment the stream ENDED, as Spotify reports it.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    display_name  TEXT    NOT NULL,
    is_local      INTEGER NOT NULL DEFAULT 0,  -- the single user of local/demo mode
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE user_settings (
    user_id            INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    timezone           TEXT    NOT NULL DEFAULT 'UTC',      -- IANA name
    play_rule          TEXT    NOT NULL DEFAULT 'min_ms'    -- 'min_ms' | 'finished'
                       CHECK (play_rule IN ('min_ms', 'finished')),
    play_min_ms        INTEGER NOT NULL DEFAULT 30000 CHECK (play_min_ms >= 0),
    include_incognito  INTEGER NOT NULL DEFAULT 0
);

-- One Spotify account per user. Tokens are Fernet-encrypted (see crypto.py).
CREATE TABLE spotify_accounts (
    id                      INTEGER PRIMARY KEY,
    user_id                 INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    spotify_id              TEXT    NOT NULL UNIQUE,
    display_name            TEXT,
    image_url               TEXT,
    scopes                  TEXT    NOT NULL DEFAULT '',
    access_token_enc        BLOB,
    refresh_token_enc       BLOB,
    access_expires_at       INTEGER,                       -- epoch seconds
    status                  TEXT    NOT NULL DEFAULT 'connected'
                            CHECK (status IN ('connected', 'needs_reconnect', 'disconnected')),
    capabilities            TEXT    NOT NULL DEFAULT '{}', -- JSON: {"audio_features": bool, ...}
    capabilities_checked_at TEXT,
    connected_at            TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at              TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- The catalogue is shared metadata (not personal); personal data is in the user_id tables.
CREATE TABLE artists (
    id            INTEGER PRIMARY KEY,
    spotify_id    TEXT UNIQUE,           -- NULL for artists known only by name (account data)
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,         -- normalised name, see normalise.py
    genres        TEXT,                  -- JSON array; NULL = unknown, '[]' = known to have none
    image_url     TEXT,
    fetched_at    TEXT                   -- when metadata was last fetched from Spotify
);
CREATE INDEX artists_name_key ON artists(name_key);

CREATE TABLE albums (
    id            INTEGER PRIMARY KEY,
    spotify_id    TEXT UNIQUE,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    release_date  TEXT,
    image_url     TEXT
);
CREATE INDEX albums_name_key ON albums(name_key);

CREATE TABLE tracks (
    id                INTEGER PRIMARY KEY,
    spotify_id        TEXT UNIQUE,       -- 'spotify:track:…' / 'spotify:episode:…' URI; NULL for local
    kind              TEXT NOT NULL DEFAULT 'music'
                      CHECK (kind IN ('music', 'podcast', 'audiobook', 'video')),
    name              TEXT NOT NULL,
    album_id          INTEGER REFERENCES albums(id),
    duration_ms       INTEGER,
    match_key         TEXT NOT NULL,     -- normalised "artist␟track", links URI-less rows
    -- Audio features (0..1 except tempo in BPM); NULL when unknown.
    energy            REAL,
    valence           REAL,
    danceability      REAL,
    tempo             REAL,
    acousticness      REAL,
    instrumentalness  REAL,
    speechiness       REAL,
    features_source   TEXT CHECK (features_source IN ('spotify', 'demo'))
);
CREATE INDEX tracks_match_key ON tracks(match_key);

CREATE TABLE track_artists (
    track_id   INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    artist_id  INTEGER NOT NULL REFERENCES artists(id),
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (track_id, artist_id)
) WITHOUT ROWID;
CREATE INDEX track_artists_artist ON track_artists(artist_id, track_id);

-- One row per stream. Re-inserting the same stream is a no-op (UNIQUE below).
CREATE TABLE plays (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_id      INTEGER NOT NULL REFERENCES tracks(id),
    played_at     INTEGER NOT NULL,      -- epoch ms UTC, end of stream
    ms_played     INTEGER NOT NULL CHECK (ms_played >= 0),
    kind          TEXT    NOT NULL DEFAULT 'music',
    source        TEXT    NOT NULL
                  CHECK (source IN ('api', 'extended', 'account', 'demo', 'restore', 'json')),
    local_date    TEXT    NOT NULL,      -- 'YYYY-MM-DD' in the user's time zone
    local_hour    INTEGER NOT NULL,      -- 0..23 in the user's time zone
    skipped       INTEGER,
    shuffle       INTEGER,
    reason_start  TEXT,
    reason_end    TEXT,
    platform      TEXT,
    offline       INTEGER,
    incognito     INTEGER,
    UNIQUE (user_id, played_at, track_id)
);
CREATE INDEX plays_user_date ON plays(user_id, local_date);
CREATE INDEX plays_user_track ON plays(user_id, track_id, played_at);

-- Top-item snapshots ("Currently Obsessed"): one list per user, day and time range.
CREATE TABLE top_snapshots (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    taken_on    TEXT    NOT NULL,      -- UTC date
    item_type   TEXT    NOT NULL CHECK (item_type IN ('track', 'artist')),
    time_range  TEXT    NOT NULL CHECK (time_range IN ('short_term', 'medium_term', 'long_term')),
    rank        INTEGER NOT NULL,
    track_id    INTEGER REFERENCES tracks(id),
    artist_id   INTEGER REFERENCES artists(id),
    PRIMARY KEY (user_id, taken_on, item_type, time_range, rank)
) WITHOUT ROWID;

-- Daily rollups by the user's local date, music only. Kept current on every write
-- (rollups.py) so charts never scan plays. "plays" follow the user's play rule;
-- "streams" and "ms_played" include short streams.
CREATE TABLE rollup_day (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    plays      INTEGER NOT NULL,
    streams    INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    skips      INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
) WITHOUT ROWID;

CREATE TABLE rollup_day_hour (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    hour       INTEGER NOT NULL,
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, hour)
) WITHOUT ROWID;

CREATE TABLE rollup_day_track (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    track_id   INTEGER NOT NULL REFERENCES tracks(id),
    plays      INTEGER NOT NULL,
    streams    INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    skips      INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, track_id)
) WITHOUT ROWID;

CREATE TABLE rollup_day_artist (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    artist_id  INTEGER NOT NULL REFERENCES artists(id),
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, artist_id)
) WITHOUT ROWID;

-- First local day each track / artist was streamed (discoveries).
CREATE TABLE rollup_track_first (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_id   INTEGER NOT NULL REFERENCES tracks(id),
    first_day  TEXT    NOT NULL,
    PRIMARY KEY (user_id, track_id)
) WITHOUT ROWID;
CREATE INDEX rollup_track_first_day ON rollup_track_first(user_id, first_day);

CREATE TABLE rollup_artist_first (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    artist_id  INTEGER NOT NULL REFERENCES artists(id),
    first_day  TEXT    NOT NULL,
    PRIMARY KEY (user_id, artist_id)
) WITHOUT ROWID;
CREATE INDEX rollup_artist_first_day ON rollup_artist_first(user_id, first_day);

CREATE INDEX rollup_day_track_by_track ON rollup_day_track(user_id, track_id, day);
CREATE INDEX rollup_day_artist_by_artist ON rollup_day_artist(user_id, artist_id, day);
