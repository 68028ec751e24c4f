-- One song, one tracks row (issue #14, item 1; DESIGN §4b). Tracks were rows per Spotify
-- URI, or per artist + title for account data, so the same history counted 454 tracks
-- when the extended file came first and 444 when the account rows did. Now a tracks row is
-- a song: one per user, kind and match_key (primary artist + normalised title). Every URI
-- of a song (single, album version, re-release) is a row of track_uris that names it, and
-- each play remembers the URI it came with (plays.uri_id, NULL for account data) so that
-- the song's spotify_id can be the URI played most (catalogue.refresh_song_uris).
--
-- The merge (db/migration_steps.py, merge_songs): per user, the songs' lowest track id is
-- kept and every reference to the others (plays, snapshots, every rollup) is re-pointed to
-- it. Two plays of one song that would share a (time, song) slot were distinct streams (the
-- reconciliation rule matched by match_key already, so it had kept both): the later one
-- moves a millisecond on, as Reconciler.place stores such streams. Affected users'
-- rollups are rebuilt from their plays: play counts do not change.

CREATE TABLE track_uris (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    uri        TEXT    NOT NULL,            -- 'spotify:track:…' / 'spotify:episode:…'
    track_id   INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    album_id   INTEGER REFERENCES albums(id),  -- the album this version came on, if known
    plays      INTEGER NOT NULL DEFAULT 0,  -- stored plays that came with this URI
    UNIQUE (user_id, uri)
);
CREATE INDEX track_uris_track ON track_uris(track_id);

ALTER TABLE plays ADD COLUMN uri_id INTEGER REFERENCES track_uris(id);

-- @step merge_songs
