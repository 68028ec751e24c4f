-- Every query reads plays by user and time (the UNIQUE (user_id, played_at, track_id) index)
-- or through the rollups; nothing reads plays by local date or by track any more. These two
-- indexes only cost writes: about a third of the time of inserting a play.
DROP INDEX IF EXISTS plays_user_date;
DROP INDEX IF EXISTS plays_user_track;
