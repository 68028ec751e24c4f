-- The artist, track and album pages (issue #16, web/explore.py) read one item each; these
-- keep that a short index range at a million plays.

-- "Where it ranked in each month's top list": how many items beat it in a month is a count
-- over the month's entries with more plays, not a scan of the month.
CREATE INDEX rollup_month_track_rank ON rollup_month_track(user_id, month, plays, ms_played);
CREATE INDEX rollup_month_artist_rank ON rollup_month_artist(user_id, month, plays, ms_played);

-- An album's tracks.
CREATE INDEX tracks_album ON tracks(album_id);

-- An item's days with their minutes, without looking up each row: the per-item indexes of
-- the daily rollups (0006) gain ms_played.
DROP INDEX rollup_day_track_by_track;
CREATE INDEX rollup_day_track_by_track
    ON rollup_day_track(user_id, track_id, day, plays, ms_played);
DROP INDEX rollup_day_artist_by_artist;
CREATE INDEX rollup_day_artist_by_artist
    ON rollup_day_artist(user_id, artist_id, day, plays, ms_played);

-- Counted plays per track and local hour of the day: the hours an artist is played are the
-- sum over its tracks (24 rows each) instead of a pass over its plays. Kept by
-- db/rollups.py like the daily rollups; filled here for existing users.
CREATE TABLE rollup_track_hour (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_id   INTEGER NOT NULL REFERENCES tracks(id),
    hour       INTEGER NOT NULL,
    plays      INTEGER NOT NULL,
    PRIMARY KEY (user_id, track_id, hour)
) WITHOUT ROWID;

-- @step fill_track_hours
