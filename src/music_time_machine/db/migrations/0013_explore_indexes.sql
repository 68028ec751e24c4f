-- Indexes for the artist, track and album pages (issue #16, web/explore.py). Each page
-- reads one item; these keep that a short index range at a million plays.

-- "Where it ranked in each month's top list": how many items beat it in a month is a count
-- over the month's entries with more plays, not a scan of the month.
CREATE INDEX rollup_month_track_rank ON rollup_month_track(user_id, month, plays, ms_played);
CREATE INDEX rollup_month_artist_rank ON rollup_month_artist(user_id, month, plays, ms_played);

-- An album's tracks.
CREATE INDEX tracks_album ON tracks(album_id);

-- The hours of the day an artist is played: one covering range per track of the artist
-- (kind and the columns of the play rule included, so no play row is read). The only plays
-- index besides the UNIQUE one (0006 dropped two for import speed): no rollup keeps hours
-- per artist, and without it the top artist's page would read tens of thousands of rows.
CREATE INDEX plays_user_track_hour
    ON plays(user_id, track_id, kind, local_hour, ms_played, reason_end);
