-- Indexes shaped for what imports write and read (see db/rollups_monthly.py).

-- Every query reads plays by user and time (the UNIQUE (user_id, played_at, track_id) index)
-- or through the rollups; nothing reads plays by local date or by track any more. These two
-- indexes only cost writes: about a third of the time of inserting a play.
DROP INDEX IF EXISTS plays_user_date;
DROP INDEX IF EXISTS plays_user_track;

-- The per-item indexes of the daily rollups also hold the play count, so that finding an
-- item's played days (gaps, first and last days) never looks up the table row.
DROP INDEX rollup_day_track_by_track;
CREATE INDEX rollup_day_track_by_track ON rollup_day_track(user_id, track_id, day, plays);
DROP INDEX rollup_day_artist_by_artist;
CREATE INDEX rollup_day_artist_by_artist ON rollup_day_artist(user_id, artist_id, day, plays);
