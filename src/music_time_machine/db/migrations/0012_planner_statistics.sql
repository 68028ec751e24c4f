-- Pages at a million plays (issue #15).
--
-- Streams that are not music (podcasts, audiobooks) are a few percent of plays; a partial
-- index on them lets Settings count every stream as the music streams of rollup_day plus
-- these, instead of walking all of the user's plays (125 ms at a million).
CREATE INDEX plays_not_music ON plays(user_id) WHERE kind <> 'music';

-- No database had planner statistics (sqlite_stat1) before: measure once now; large
-- imports refresh them (db/planner.py).
-- @step refresh_planner_statistics
