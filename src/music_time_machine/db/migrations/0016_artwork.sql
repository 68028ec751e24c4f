-- Artwork (issue #18): which stored image shows each of a user's albums and artists.
--
-- The images themselves are files in <MTM_DATA_DIR>/images, named by the hash of the
-- downloaded bytes (metadata/image_store.py), so a cover two users share is kept once. These
-- rows are per user like the catalogue they describe: they say what the user may be served
-- (web/images.py looks a key up here before sending a file) and remember a search that found
-- nothing ("none": image_key NULL) so it is not asked again for 90 days.
--
-- The columns are named ``album`` and ``artist``, not ``album_id`` / ``artist_id``: the
-- catalogue pruning (userdata.prune_catalogue) keeps every artist a user table names in an
-- ``artist_id`` column, and a picture must never keep an artist alive. Deleting the album or
-- artist deletes its row (ON DELETE CASCADE), as an import undo or account deletion does.

CREATE TABLE album_art (
    album       INTEGER PRIMARY KEY REFERENCES albums(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    image_key   TEXT,                -- NULL: looked for and none found
    source      TEXT CHECK (source IN ('spotify', 'coverartarchive')),
    fetched_at  TEXT NOT NULL,       -- ISO-8601 UTC, when it was looked for
    CHECK ((image_key IS NULL) = (source IS NULL))
);
CREATE INDEX album_art_key ON album_art(user_id, image_key);

CREATE TABLE artist_art (
    artist      INTEGER PRIMARY KEY REFERENCES artists(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    image_key   TEXT,
    source      TEXT CHECK (source IN ('spotify', 'coverartarchive')),
    fetched_at  TEXT NOT NULL,
    CHECK ((image_key IS NULL) = (source IS NULL))
);
CREATE INDEX artist_art_key ON artist_art(user_id, image_key);
