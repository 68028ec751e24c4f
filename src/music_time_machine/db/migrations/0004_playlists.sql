-- Playlists the Playlist Manager created on Spotify, remembered so that the page can list
-- them and "finish adding" can resume a half-filled playlist without creating a second one.
CREATE TABLE playlists (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    spotify_id    TEXT    NOT NULL,            -- Spotify's playlist id
    name          TEXT    NOT NULL,
    source        TEXT    NOT NULL,            -- 'forgotten_gems', 'workout', ...
    options       TEXT    NOT NULL DEFAULT '{}',  -- JSON: the choices it was made with
    url           TEXT,                        -- external_urls.spotify
    track_uris    TEXT    NOT NULL DEFAULT '[]',  -- JSON: every URI to add, in order
    tracks        TEXT    NOT NULL DEFAULT '[]',  -- JSON: [{title, artist, uri, why}] as previewed
    skipped       TEXT    NOT NULL DEFAULT '[]',  -- JSON: [{title, artist}] without a Spotify URI
    added_count   INTEGER NOT NULL DEFAULT 0,  -- URIs already added: track_uris[:added_count]
    status        TEXT    NOT NULL DEFAULT 'created'
                  CHECK (status IN ('created', 'incomplete', 'done')),
    created_at    INTEGER NOT NULL,            -- epoch s
    updated_at    INTEGER NOT NULL,            -- epoch s
    error         TEXT,                        -- why adding stopped (status 'incomplete')
    retry_after   INTEGER,                     -- epoch s: Spotify asked us to wait until then
    adding_until  INTEGER                      -- epoch s: a request is adding now (no double add)
);
CREATE INDEX playlists_user ON playlists(user_id, created_at DESC);
