-- Work that commits in slices (so that other users' writes interleave) but must land whole
-- or not at all (issue #13): what to undo if it stops half-way.

-- A file being imported: the id ranges (after, last] of the plays and catalogue rows each
-- committed slice of it added. Deleted in the transaction that writes the file's last rows;
-- rows left by a crash are undone at the next server start (db/import_slices.py).
CREATE TABLE import_file_slices (
    id            INTEGER PRIMARY KEY,
    attempt       TEXT    NOT NULL,       -- one import of one file (random)
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_name     TEXT    NOT NULL,
    plays_after   INTEGER NOT NULL,
    plays_last    INTEGER NOT NULL,
    tracks_after  INTEGER NOT NULL,
    tracks_last   INTEGER NOT NULL,
    albums_after  INTEGER NOT NULL,
    albums_last   INTEGER NOT NULL,
    artists_after INTEGER NOT NULL,
    artists_last  INTEGER NOT NULL
);
CREATE INDEX import_file_slices_attempt ON import_file_slices(attempt);

-- A time-zone re-count's new local dates, written in slices and swapped into plays in one
-- short transaction with the new setting (db/recount.py); emptied on cancel and at start.
CREATE TABLE recount_stage (
    attempt     TEXT    NOT NULL,
    play_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    played_at   INTEGER NOT NULL,
    local_date  TEXT    NOT NULL,
    local_hour  INTEGER NOT NULL,
    PRIMARY KEY (attempt, play_id)
) WITHOUT ROWID;
