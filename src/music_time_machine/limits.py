"""What a stored play may look like, defined once for the importer, the restore and the sync.

An upload is untrusted: one row with a 200 MB track name once took ten minutes to import and
made every page that showed it hundreds of megabytes, and a play dated year 1 broke the
"all time" charts for good. So every way a play enters the database checks it against the
same bounds:

- a play ends between Spotify's launch (``EARLIEST_PLAY_MS``, 2006-01-01 UTC) and a day
  from now (``FUTURE_SLACK_MS``: clocks and time zones differ, not more);
- ``ms_played`` is a whole number from 0 to ``MAX_MS_PLAYED`` (24 hours: no single stream
  lasts longer);
- names (track, artist, album, show, platform, ...) are at most ``MAX_NAME_CHARS`` long.

The JSON parser has its own bounds (``MAX_JSON_DEPTH``, ``MAX_ROW_BYTES``): a Spotify row is
a flat object of a few hundred bytes, so anything far beyond them is refused as a whole
file before it costs minutes of CPU.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

#: Longest name kept (characters). Spotify's longest titles are a few hundred characters.
MAX_NAME_CHARS = 1000
#: Longest single stream: a day. ``ms_played`` beyond it is not a stream but a broken row.
MAX_MS_PLAYED = 24 * 3600 * 1000
#: 2006-01-01T00:00:00Z in epoch ms: no Spotify stream can end before the company existed.
EARLIEST_PLAY_MS = 1_136_073_600_000
#: How far in the future a play may end (clock skew, not time travel).
FUTURE_SLACK_MS = 24 * 3600 * 1000

#: Deepest JSON nesting accepted in a history file (a row is depth 2: list, object).
MAX_JSON_DEPTH = 32
#: Most bytes the parser reads without completing a row; real rows are under 2 kB.
MAX_ROW_BYTES = 1024 * 1024

#: Row rejection reasons, worded to follow "N row(s) with ..." in the import summary.
NAME_TOO_LONG = f"a name longer than {MAX_NAME_CHARS:,} characters"


def latest_play_ms(now_ms: int | None = None) -> int:
    """The latest end time a play may have now (epoch ms)."""
    if now_ms is None:
        now_ms = int(time.time() * 1000)
    return now_ms + FUTURE_SLACK_MS


def played_at_ok(played_at: int, latest: int | None = None) -> bool:
    """True when ``played_at`` (epoch ms, end of stream) lies between 2006 and tomorrow.

    ``latest`` lets a loop over many rows compute ``latest_play_ms()`` once.
    """
    return EARLIEST_PLAY_MS <= played_at <= (latest if latest is not None else latest_play_ms())


def ms_played_ok(ms_played: int) -> bool:
    """True for a whole number of milliseconds from 0 to 24 hours."""
    return type(ms_played) is int and 0 <= ms_played <= MAX_MS_PLAYED


def play_problem(
    played_at: int | None,
    ms_played: int | None,
    fields: tuple[str, str],
    latest: int | None = None,
) -> str | None:
    """Why a play with this end time and length cannot be stored, as a row rejection reason
    naming the row's ``fields`` (its end time's and length's), or None when it can.

    None stands for a value that is missing or could not be read; every way rows come in
    (export formats, backups) words its rejections the same, only with its own field names.
    """
    when, length = fields
    if played_at is None:
        return f"missing or invalid {when}"
    if not played_at_ok(played_at, latest):
        return f"{when} before 2006 or in the future"
    if ms_played is None:
        return f"missing or invalid {length}"
    if not ms_played_ok(ms_played):
        return f"{length} over 24 hours"
    return None


def names_ok(names: Iterable[object]) -> bool:
    """True when every string among ``names`` is at most ``MAX_NAME_CHARS`` long
    (``None`` and other non-strings are the callers' business)."""
    return all(type(n) is not str or len(n) <= MAX_NAME_CHARS for n in names)


def clip_name(name: str) -> str:
    """``name`` cut to ``MAX_NAME_CHARS``: for names from Spotify itself, where dropping
    the play would lose real listening and the name is only too long to show."""
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"
