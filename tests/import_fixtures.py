"""Shared helpers for the import tests: table dumps, export files and independent
expectations computed from raw JSON with plain Python (not the app's code).

``EXTENDED_DIR`` / ``ACCOUNT_DIR`` are the project's own invented exports in tests/data;
``SAMPLE_EXTENDED_DIR`` / ``SAMPLE_ACCOUNT_DIR`` the real ones in ../shared/samples, used by
extra variants that call ``need_samples()`` first."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import DATA, SAMPLES

from music_time_machine.db.plays import PLAY_DETAIL_COLUMNS, PlayDetails
from music_time_machine.importers.summary import COUNTS

EXTENDED_DIR = DATA / "spotify-extended"
ACCOUNT_DIR = DATA / "spotify-account"
SAMPLE_EXTENDED_DIR = SAMPLES / "spotify-extended"
SAMPLE_ACCOUNT_DIR = SAMPLES / "spotify-account"
PLAY_MIN_MS = 30_000


def need_samples() -> None:
    if not SAMPLES.is_dir():
        pytest.skip("shared/samples not present")


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal dumps mean equal database content. The
    search index is compared by what it holds (rowid, words, owner), not by its FTS5
    shadow tables, whose segment layout depends on the order of writes."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'search_names_%'"
        )
    ]
    return {
        t: sorted(
            tuple(r)
            for r in conn.execute(
                f"SELECT rowid, * FROM {t}" if t == "search_names" else f"SELECT * FROM {t}"
            )
        )
        for t in tables
    }


def content(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """``dump`` without the two tables that record when the database was made (its users'
    and migrations' timestamps): for comparing two databases made a moment apart."""
    return {t: rows for t, rows in dump(conn).items() if t not in ("users", "schema_migrations")}


def stored_details(conn: sqlite3.Connection, user_id: int) -> list[PlayDetails]:
    """The details of the user's plays, oldest first, as the plays table holds them."""
    columns = ", ".join(PLAY_DETAIL_COLUMNS)
    return [
        PlayDetails(*row)
        for row in conn.execute(
            f"SELECT {columns} FROM plays WHERE user_id = ? ORDER BY played_at", (user_id,)
        )
    ]


def extended_play(
    end_s: int,
    ms_played: int,
    song: str,
    artist: str,
    album: str,
    uri: str,
    reason_end: str = "trackdone",
) -> dict:
    """One music row of an extended-history file as Spotify writes it, for a stream that
    ended at ``end_s`` (epoch seconds) on android, neither skipped, shuffled, offline nor
    incognito."""
    return {
        "ts": datetime.fromtimestamp(end_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ms_played": ms_played,
        "platform": "android",
        "master_metadata_track_name": song,
        "master_metadata_album_artist_name": artist,
        "master_metadata_album_album_name": album,
        "spotify_track_uri": uri,
        "reason_end": reason_end,
        "skipped": False,
        "shuffle": False,
        "offline": False,
        "incognito_mode": False,
    }


def write_history(path: Path, rows: list[dict], tail: str = "") -> Path:
    """``rows`` as one extended-history file; a ``tail`` takes the place of the closing
    bracket (a file that breaks at its end)."""
    text = json.dumps(rows)
    path.write_text(text[:-1] + tail if tail else text, encoding="utf-8")
    return path


def load(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, rows: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def make_zip(path: Path, members: dict[str, bytes | str | Path]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            if isinstance(content, Path):
                content = content.read_bytes()
            zf.writestr(name, content)
    return path


def sample_export_zip(path: Path, extended_dir: Path = EXTENDED_DIR) -> Path:
    """Extended-history files as Spotify zips them, with a file that is not history."""
    folder = "Spotify Extended Streaming History"
    members: dict[str, bytes | str | Path] = {
        f"{folder}/{p.name}": p for p in sorted(extended_dir.glob("*.json"))
    }
    members[f"{folder}/ReadMeFirst.pdf"] = b"%PDF-1.4"
    return make_zip(path, members)


# -- independent expectations ---------------------------------------------------------------


def _extended_kind(row: dict, video: bool) -> str | None:
    if row.get("spotify_track_uri") or row.get("master_metadata_track_name"):
        return "video" if video else "music"
    if row.get("spotify_episode_uri") or row.get("episode_name"):
        return "podcast"
    if (
        row.get("audiobook_chapter_uri")
        or row.get("audiobook_title")
        or row.get("audiobook_chapter_title")
    ):
        return "audiobook"
    return None


def _account_kind(row: dict) -> str | None:
    if "trackName" in row:
        if (row.get("artistName"), row.get("trackName")) == ("Unknown Artist", "Unknown Track"):
            return None
        return "music" if row.get("trackName") else None
    if "episodeName" in row:
        return "podcast" if row.get("episodeName") else None
    if "chapterName" in row or "audiobookName" in row:
        return "audiobook" if (row.get("chapterName") or row.get("audiobookName")) else None
    return None


def expected_counts(
    rows: list[dict], fmt: str, video: bool = False, include_incognito: bool = False
) -> Counter:
    """What importing ``rows`` (one file) into an empty database must report."""
    c: Counter = Counter(rows_read=len(rows))
    seen = set()
    for row in rows:
        kind = _extended_kind(row, video) if fmt == "extended" else _account_kind(row)
        if kind is None:
            c["without_metadata"] += 1
            continue
        if fmt == "extended" and row.get("incognito_mode") and not include_incognito:
            c["incognito_skipped"] += 1
            continue
        identity = json.dumps(row, sort_keys=True)
        if identity in seen:
            c["duplicates"] += 1
            continue
        seen.add(identity)
        ms = row["ms_played"] if fmt == "extended" else row["msPlayed"]
        if kind in ("podcast", "audiobook"):
            c["podcasts_audiobooks"] += 1
        elif ms >= PLAY_MIN_MS:
            c["plays_added"] += 1
        else:
            c["short_plays"] += 1
    return c


def report_counts(report) -> Counter:
    """The report's non-zero counts, by the names the importer reports them under (so a
    count it adds is compared too)."""
    return Counter({n: getattr(report, n) for n in COUNTS if getattr(report, n)})


def account_rows_from_extended(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(music, podcast) account-data rows for ``rows``, derived the way Spotify does:
    end time truncated to the minute, names only, no URIs; incognito streams left out."""
    music, podcast = [], []
    for row in rows:
        if row.get("incognito_mode"):
            continue
        end = row["ts"][:16].replace("T", " ")
        if row.get("master_metadata_track_name"):
            music.append(
                {
                    "endTime": end,
                    "artistName": row["master_metadata_album_artist_name"],
                    "trackName": row["master_metadata_track_name"],
                    "msPlayed": row["ms_played"],
                }
            )
        elif row.get("episode_name"):
            podcast.append(
                {
                    "endTime": end,
                    "podcastName": row["episode_show_name"],
                    "episodeName": row["episode_name"],
                    "msPlayed": row["ms_played"],
                }
            )
    return music, podcast
