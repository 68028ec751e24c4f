-- Coarser rollups so that long date ranges stay fast at a million plays (see db/stats.py).
-- All are derived from the daily rollups by db/rollups_monthly.py on every rollup refresh.
-- "plays" follow the user's play rule; "ms_played" includes short streams.

-- By calendar month ('YYYY-MM' of the local date) and year ('YYYY'). Tracks are keyed
-- track-first because stats read them for a few hundred candidate tracks at a time.
CREATE TABLE rollup_month_track (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_id   INTEGER NOT NULL REFERENCES tracks(id),
    month      TEXT    NOT NULL,
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, track_id, month)
) WITHOUT ROWID;

CREATE TABLE rollup_month_artist (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    month      TEXT    NOT NULL,
    artist_id  INTEGER NOT NULL REFERENCES artists(id),
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, month, artist_id)
) WITHOUT ROWID;

CREATE TABLE rollup_year_track (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_id   INTEGER NOT NULL REFERENCES tracks(id),
    year       TEXT    NOT NULL,
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, track_id, year)
) WITHOUT ROWID;

CREATE TABLE rollup_year_artist (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    year       TEXT    NOT NULL,
    artist_id  INTEGER NOT NULL REFERENCES artists(id),
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, year, artist_id)
) WITHOUT ROWID;

-- weekday: 0 = Monday … 6 = Sunday, of the local date. Keyed by cell first so that the
-- heatmap sums a range of months in one ordered pass (168 cells × months per user).
CREATE TABLE rollup_month_weekday_hour (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    weekday    INTEGER NOT NULL,
    hour       INTEGER NOT NULL,
    month      TEXT    NOT NULL,
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    PRIMARY KEY (user_id, weekday, hour, month)
) WITHOUT ROWID;

-- All-time totals of every track / artist with at least one counted play, with the first
-- and last local day that had one: answers "all" directly, ranks candidates for top lists
-- and counts distinct items in a range (see the gap tables).
CREATE TABLE rollup_track_total (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_id   INTEGER NOT NULL REFERENCES tracks(id),
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    first_day  TEXT    NOT NULL,
    last_day   TEXT    NOT NULL,
    PRIMARY KEY (user_id, track_id)
) WITHOUT ROWID;
CREATE INDEX rollup_track_total_rank
    ON rollup_track_total(user_id, plays DESC, ms_played DESC, last_day, first_day);
CREATE INDEX rollup_track_total_span ON rollup_track_total(user_id, last_day, first_day);

CREATE TABLE rollup_artist_total (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    artist_id  INTEGER NOT NULL REFERENCES artists(id),
    plays      INTEGER NOT NULL,
    ms_played  INTEGER NOT NULL,
    first_day  TEXT    NOT NULL,
    last_day   TEXT    NOT NULL,
    PRIMARY KEY (user_id, artist_id)
) WITHOUT ROWID;
CREATE INDEX rollup_artist_total_rank
    ON rollup_artist_total(user_id, plays DESC, ms_played DESC, last_day, first_day);
CREATE INDEX rollup_artist_total_span ON rollup_artist_total(user_id, last_day, first_day);

-- Long silences: consecutive days with a counted play of the same track / artist that are
-- at least GAP_MIN_DAYS (rollups_monthly.py) apart inside. An item was played in a long
-- range unless the range falls inside one of its gaps.
CREATE TABLE rollup_track_gap (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    track_id   INTEGER NOT NULL REFERENCES tracks(id),
    after_day  TEXT    NOT NULL,
    before_day TEXT    NOT NULL,
    PRIMARY KEY (user_id, track_id, after_day)
) WITHOUT ROWID;
CREATE INDEX rollup_track_gap_span ON rollup_track_gap(user_id, after_day, before_day);

CREATE TABLE rollup_artist_gap (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    artist_id  INTEGER NOT NULL REFERENCES artists(id),
    after_day  TEXT    NOT NULL,
    before_day TEXT    NOT NULL,
    PRIMARY KEY (user_id, artist_id, after_day)
) WITHOUT ROWID;
CREATE INDEX rollup_artist_gap_span ON rollup_artist_gap(user_id, after_day, before_day);
