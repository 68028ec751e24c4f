"""Which Spotify export file is this? Decided by its name first, then by a peek at its rows.

Spotify has renamed these files over the years; every name it has used is listed here so the
rest of the importer only deals with two formats:

- ``extended``: the "Extended streaming history" (``Streaming_History_Audio_*.json``,
  ``Streaming_History_Video_*.json``, older ``endsong_*.json``): one object per stream with
  ``ts`` (UTC end of stream, seconds), ``ms_played``, track / episode / audiobook metadata and
  the track URI.
- ``account``: the "Account data" history (``StreamingHistory_music_N.json``,
  ``..._podcast_N``, ``..._audiobook_N``, older ``StreamingHistoryN.json``): ``endTime``
  ("YYYY-MM-DD HH:MM", UTC, truncated to the minute), names and ``msPlayed``; no URIs.

Anything else in an export (``Userdata.json``, ``Playlist1.json``, the ReadMe PDF, ...) is
skipped and listed as skipped, never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EXTENDED = "extended"
ACCOUNT = "account"


@dataclass(frozen=True)
class Format:
    """A recognised history file: ``kind`` is extended/account, ``media`` refines it.

    ``media`` is ``audio``/``video`` for extended files and ``music``/``podcast``/
    ``audiobook`` for account files (``None`` when only the content told us the kind).
    """

    kind: str
    media: str | None = None


_BY_NAME: tuple[tuple[re.Pattern[str], Format | None], ...] = (
    (re.compile(r"^streaming_history_audio_.*\.json$", re.I), Format(EXTENDED, "audio")),
    (re.compile(r"^streaming_history_video_.*\.json$", re.I), Format(EXTENDED, "video")),
    (re.compile(r"^endsong(_\d+)?\.json$", re.I), Format(EXTENDED, "audio")),
    (re.compile(r"^streaminghistory_music_\d+\.json$", re.I), Format(ACCOUNT, "music")),
    (re.compile(r"^streaminghistory_podcast_\d+\.json$", re.I), Format(ACCOUNT, "podcast")),
    (re.compile(r"^streaminghistory_audiobook_\d+\.json$", re.I), Format(ACCOUNT, "audiobook")),
    (re.compile(r"^streaminghistory\d*\.json$", re.I), Format(ACCOUNT, "music")),
)

#: Keys that identify a row of each format when the file name does not.
EXTENDED_KEYS = frozenset({"ts", "ms_played"})
ACCOUNT_KEYS = frozenset({"endTime", "msPlayed"})


def format_from_name(basename: str) -> Format | None:
    """The format a Spotify file name announces, or ``None`` for any other name."""
    for pattern, fmt in _BY_NAME:
        if pattern.match(basename):
            return fmt
    return None


def format_from_row(row: object) -> Format | None:
    """The format a sample row has (used for renamed files), or ``None``."""
    if not isinstance(row, dict):
        return None
    if row.keys() >= EXTENDED_KEYS:
        return Format(EXTENDED)
    if row.keys() >= ACCOUNT_KEYS:
        return Format(ACCOUNT)
    return None
