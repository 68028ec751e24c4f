-- Search (issue #16): an FTS5 index of every user's artist, album and track names, kept
-- current by triggers (db/search.py says why and how), filled here for existing rows.
-- @step install_search_index

-- An album's plays are the plays of its songs (tracks.album_id): found by this index, for
-- top albums and search.
CREATE INDEX tracks_album ON tracks(album_id);
