-- Revocable sessions (web/sessions.py): a signed-in or unlocked session carries its owner's
-- generation; signing out, locking or disconnecting Spotify adds one, which ends every
-- session that still carries the old number (including cookies copied elsewhere).
ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
