"""A user's play history in open formats.

The JSON export uses the schema of Spotify's own "Extended streaming history" files, so the
app's importer (and other tools) read it back unchanged. Artists beyond the first are kept
in the CSV only: the Spotify schema has a single artist field.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

from ..csv_cells import spreadsheet_safe_row

CSV_COLUMNS = (
    "played_at_utc",
    "ms_played",
    "track",
    "artists",
    "album",
    "spotify_uri",
    "kind",
    "source",
    "counted_local_date",
    "skipped",
    "shuffle",
    "reason_start",
    "reason_end",
    "platform",
)


def iter_plays(conn: sqlite3.Connection, user_id: int) -> Iterator[sqlite3.Row]:
    """Every stream of the user, oldest first, with its track, artists and album."""
    return conn.execute(
        "SELECT p.played_at, p.ms_played, p.kind, p.source, p.local_date, p.skipped, p.shuffle,"
        " p.reason_start, p.reason_end, p.platform, p.offline, p.incognito, t.name AS track,"
        " COALESCE(u.uri, t.spotify_id) AS uri, al.name AS album,"
        " (SELECT group_concat(name, ' & ') FROM (SELECT a.name FROM track_artists ta"
        "   JOIN artists a ON a.id = ta.artist_id WHERE ta.track_id = t.id"
        "   ORDER BY ta.position)) AS artists,"
        " (SELECT a.name FROM track_artists ta JOIN artists a ON a.id = ta.artist_id"
        "   WHERE ta.track_id = t.id ORDER BY ta.position LIMIT 1) AS first_artist"
        " FROM plays p JOIN tracks t ON t.id = p.track_id"
        " LEFT JOIN track_uris u ON u.id = p.uri_id"
        " LEFT JOIN albums al ON al.id = t.album_id"
        " WHERE p.user_id = ? ORDER BY p.played_at, p.id",
        (user_id,),
    )


def iso_utc(epoch_ms: int) -> str:
    """Spotify's timestamp style, to the second ("2024-01-02T03:04:05Z")."""
    return datetime.fromtimestamp(epoch_ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_row(row: sqlite3.Row) -> list:
    """One play as CSV cells; text that a spreadsheet would run as a formula is quoted."""
    return spreadsheet_safe_row(
        [
            datetime.fromtimestamp(row["played_at"] / 1000, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            row["ms_played"],
            row["track"],
            row["artists"] or "",
            row["album"] or "",
            row["uri"] or "",
            row["kind"],
            row["source"],
            row["local_date"],
            _flag(row["skipped"]),
            _flag(row["shuffle"]),
            row["reason_start"] or "",
            row["reason_end"] or "",
            row["platform"] or "",
        ]
    )


def _flag(value: int | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def extended_history_record(row: sqlite3.Row) -> dict:
    """One row in the "Extended streaming history" schema."""
    kind, uri = row["kind"], row["uri"]
    episode = kind == "podcast"
    audiobook = kind == "audiobook"
    track = kind in ("music", "video")  # videos are tracks from the Video history files
    return {
        "ts": iso_utc(row["played_at"]),
        "platform": row["platform"],
        "ms_played": row["ms_played"],
        "conn_country": None,
        "ip_addr": None,
        "master_metadata_track_name": row["track"] if track else None,
        "master_metadata_album_artist_name": row["first_artist"] if track else None,
        "master_metadata_album_album_name": row["album"] if track else None,
        "spotify_track_uri": uri if track else None,
        "episode_name": row["track"] if episode else None,
        "episode_show_name": row["first_artist"] if episode else None,
        "spotify_episode_uri": uri if episode else None,
        "audiobook_title": row["first_artist"] if audiobook else None,
        "audiobook_uri": None,
        "audiobook_chapter_uri": uri if audiobook else None,
        "audiobook_chapter_title": row["track"] if audiobook else None,
        "reason_start": row["reason_start"],
        "reason_end": row["reason_end"],
        "shuffle": _bool(row["shuffle"]),
        "skipped": _bool(row["skipped"]),
        "offline": _bool(row["offline"]),
        "offline_timestamp": None,
        "incognito_mode": _bool(row["incognito"]),
    }
