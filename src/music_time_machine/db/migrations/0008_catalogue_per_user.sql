-- The catalogue becomes per user (issue #13, item 3). Artists, albums and tracks were shared,
-- so the first user to store a URI named it for everybody (an import could rename another
-- user's tracks, a restore could fill their genres, and a probe import could tell whether
-- someone else had played a track). Now every catalogue row belongs to one user: what a user
-- imports, restores or syncs describes only their own view. Spotify metadata the sync
-- fetches is stored on that user's rows. At most 5 users per Spotify app make the
-- duplication cheap, and every stats query already reaches the catalogue through one
-- user's plays and rollups.
--
-- The split (db/migration_steps.py): a row used by several users is copied for each of
-- them, and every user's references (plays, snapshots, every rollup) are re-pointed to
-- their copy. The lowest user id keeps the ids; so does any user who shares no row with a
-- lower one (a one-user database changes no id). Other users get fresh ids in the order
-- of the old ones, so ties in their top lists break as before. Rows no user refers to are
-- dropped, as Settings › Delete account already did (userdata.prune_catalogue).

CREATE TABLE artists_v8 (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    spotify_id    TEXT,                  -- NULL for artists known only by name (account data)
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,         -- normalised name, see normalise.py
    genres        TEXT,                  -- JSON array; NULL = unknown, '[]' = known to have none
    image_url     TEXT,
    fetched_at    TEXT,                  -- when metadata was last fetched from Spotify
    UNIQUE (user_id, spotify_id)
);

CREATE TABLE albums_v8 (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    spotify_id    TEXT,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    release_date  TEXT,
    image_url     TEXT,
    UNIQUE (user_id, spotify_id)
);

CREATE TABLE tracks_v8 (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    spotify_id        TEXT,              -- 'spotify:track:…' / 'spotify:episode:…' URI; NULL for local
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
    features_source   TEXT CHECK (features_source IN ('spotify', 'demo')),
    UNIQUE (user_id, spotify_id)
);

CREATE TABLE track_artists_v8 (
    track_id   INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    artist_id  INTEGER NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (track_id, artist_id)
) WITHOUT ROWID;

-- @step split_catalogue_by_user

DROP TABLE track_artists;
DROP TABLE tracks;
DROP TABLE albums;
DROP TABLE artists;
ALTER TABLE artists_v8 RENAME TO artists;
ALTER TABLE albums_v8 RENAME TO albums;
ALTER TABLE tracks_v8 RENAME TO tracks;
ALTER TABLE track_artists_v8 RENAME TO track_artists;

CREATE INDEX artists_name_key ON artists(user_id, name_key);
CREATE INDEX albums_name_key ON albums(user_id, name_key);
CREATE INDEX tracks_match_key ON tracks(user_id, match_key, kind);
CREATE INDEX track_artists_artist ON track_artists(artist_id, track_id);
