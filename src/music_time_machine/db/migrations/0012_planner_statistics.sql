-- Pages at a million plays (issue #15).
--
-- Streams that are not music (podcasts, audiobooks) are a few percent of plays; a partial
-- index on them lets Settings count every stream as the music streams of rollup_day plus
-- these, instead of walking all of the user's plays (125 ms at a million).
CREATE INDEX plays_not_music ON plays(user_id) WHERE kind <> 'music';

-- A year or a previous period counts its distinct tracks and artists as those around it
-- minus those silent all through it (db/stats.py, _distinct): gaps that start before the
-- range, or, for the many ranges late in the history, gaps that end after it (fewer).
CREATE INDEX rollup_track_gap_end ON rollup_track_gap(user_id, before_day, after_day);
CREATE INDEX rollup_artist_gap_end ON rollup_artist_gap(user_id, before_day, after_day);

-- No database had planner statistics (sqlite_stat1) before: measure once now; large
-- imports refresh them (db/planner.py).
-- @step refresh_planner_statistics
