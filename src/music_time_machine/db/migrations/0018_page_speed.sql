-- Speed at a million plays (issues #15, #16): the artist page and search read only the
-- rows they need.

-- Counted plays per artist and local hour of the day: the hours an artist is played were
-- the sum of 24 rows of each of its tracks (~30,000 rows for a favourite artist of 5,000
-- tracks); now 24 rows. Kept by db/rollups.py with the track hours; filled here from them
-- (a track's plays count for each of its artists, as in the daily rollups).
CREATE TABLE rollup_artist_hour (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    artist_id  INTEGER NOT NULL REFERENCES artists(id),
    hour       INTEGER NOT NULL,
    plays      INTEGER NOT NULL,
    PRIMARY KEY (user_id, artist_id, hour)
) WITHOUT ROWID;

INSERT INTO rollup_artist_hour (user_id, artist_id, hour, plays)
SELECT h.user_id, ta.artist_id, h.hour, SUM(h.plays) FROM rollup_track_hour h
JOIN track_artists ta ON ta.track_id = h.track_id
GROUP BY h.user_id, ta.artist_id, h.hour;

-- The search index (db/search.py) numbers its rows by kind first, kind * 2^40 + id instead
-- of id * 4 + kind: a search for albums reads the albums' part of each word list, not every
-- track's too. Rebuilt here with its triggers.
-- @step reinstall_search_index

-- The planner measures the new table (db/planner.py).
-- @step refresh_planner_statistics
