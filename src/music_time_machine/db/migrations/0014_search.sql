-- Search (issue #16): an FTS5 index of every user's artist, album and track names, kept
-- current by triggers (db/search.py says why and how), filled here for existing rows.
-- @step install_search_index

-- An album's plays are the plays of its songs (tracks.album_id): found by the index
-- tracks_album that migration 0013 creates, for top albums and search.
