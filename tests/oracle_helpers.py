"""Plain readings of the raw tables for the tests' independent computations (the oracles
in test_explore.py and test_stats_api.py): no rollups, no app queries, so a wrong rollup
cannot agree with itself."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from zoneinfo import ZoneInfo

from music_time_machine.db.users import get_settings
from music_time_machine.rules import PlayRule


def clock_and_rule(conn: sqlite3.Connection, user_id: int) -> tuple[ZoneInfo, PlayRule]:
    """The user's time zone and play rule, as their settings hold them."""
    settings = get_settings(conn, user_id)
    return ZoneInfo(settings.timezone), settings.play_rule


def track_artists(conn: sqlite3.Connection) -> defaultdict[int, list[int]]:
    """Each track's artist ids in credit order (an empty list for an unknown track)."""
    artists = defaultdict(list)
    for track_id, artist_id in conn.execute(
        "SELECT track_id, artist_id FROM track_artists ORDER BY track_id, position"
    ):
        artists[track_id].append(artist_id)
    return artists
