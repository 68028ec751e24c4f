"""Everything that talks to Spotify, plus the bundled fake Spotify used by the demo and tests."""
