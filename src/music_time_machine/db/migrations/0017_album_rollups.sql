-- Album rollups (issues #15, #16): top albums, album pages, album lists and the year page
-- read an album's plays directly instead of summing its songs' rollups on every request
-- (~105 ms of Analytics "all" at a million plays). Kept by db/rollups_albums.py, the same
-- shapes as the track rollups: an album's row is the sum of its songs' rows, a song
-- counting for its ``tracks.album_id``. "plays" follow the play rule; "ms_played" counts
-- every music stream.

CREATE TABLE rollup_day_album (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,
    album_id   INTEGER NOT NULL REFERENCES albums(id),
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, album_id)
) WITHOUT ROWID;
CREATE INDEX rollup_day_album_by_album
    ON rollup_day_album(user_id, album_id, day, plays, ms_played);

-- Album-first, as the track ones: top lists measure a few hundred candidates at a time;
-- the rank indexes serve a month's or a year's list.
CREATE TABLE rollup_month_album (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    album_id   INTEGER NOT NULL REFERENCES albums(id),
    month      TEXT    NOT NULL,
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, album_id, month)
) WITHOUT ROWID;
CREATE INDEX rollup_month_album_rank ON rollup_month_album(user_id, month, plays, ms_played);

CREATE TABLE rollup_year_album (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    album_id   INTEGER NOT NULL REFERENCES albums(id),
    year       TEXT    NOT NULL,
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, album_id, year)
) WITHOUT ROWID;
CREATE INDEX rollup_year_album_rank ON rollup_year_album(user_id, year, plays, ms_played);

CREATE TABLE rollup_album_total (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    album_id   INTEGER NOT NULL REFERENCES albums(id),
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    first_day  TEXT    NOT NULL,
    last_day   TEXT    NOT NULL,
    PRIMARY KEY (user_id, album_id)
) WITHOUT ROWID;
CREATE INDEX rollup_album_total_rank
    ON rollup_album_total(user_id, plays DESC, ms_played DESC, last_day, first_day);
CREATE INDEX rollup_album_total_span ON rollup_album_total(user_id, last_day, first_day);

CREATE TABLE rollup_album_gap (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    album_id   INTEGER NOT NULL REFERENCES albums(id),
    after_day  TEXT    NOT NULL,
    before_day TEXT    NOT NULL,
    PRIMARY KEY (user_id, album_id, after_day)
) WITHOUT ROWID;
CREATE INDEX rollup_album_gap_span ON rollup_album_gap(user_id, after_day, before_day);
CREATE INDEX rollup_album_gap_end ON rollup_album_gap(user_id, before_day, after_day);

CREATE TABLE rollup_album_first (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    album_id   INTEGER NOT NULL REFERENCES albums(id),
    first_day  TEXT    NOT NULL,
    PRIMARY KEY (user_id, album_id)
) WITHOUT ROWID;

-- A past year's distinct tracks are its rows in the yearly rollup (db/stats.py, _distinct):
-- counted by year, not by walking every track's years.
CREATE INDEX rollup_year_track_rank ON rollup_year_track(user_id, year, plays, ms_played);

-- @step fill_album_rollups
