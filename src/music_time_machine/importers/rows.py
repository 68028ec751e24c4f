"""Map one raw export row to a ``Stream``: the fields we keep, in one shape for both formats.

A mapper returns a ``Stream``, or a string saying why the row cannot be used:
``NO_METADATA`` for rows that name nothing (Spotify writes these for deleted tracks and
local files), or a rejection reason ("invalid ts", ...) that the summary counts.
Every row is held to ``limits``: a real time between 2006 and tomorrow (parsed strictly:
hour 25 is an error, not the next day), 0 to 24 hours played and names of sane length.
This runs once per row of a million-row import, so it avoids per-row datetime objects.
"""

from __future__ import annotations

import re
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from ..db.plays import NO_DETAILS, PLAY_DETAIL_COLUMNS, TEXT_DETAILS, PlayDetails
from ..limits import MAX_NAME_CHARS, NAME_TOO_LONG, play_problem
from ..timezones import parse_iso_utc_ms

NO_METADATA = "no metadata"

#: Account data writes this pair for streams it has no metadata for (local files, removed
#: tracks); the extended export writes nulls. Both are "without metadata", not a track.
_ACCOUNT_UNKNOWN = ("Unknown Artist", "Unknown Track")

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_MS = 86_400_000
#: The two exact shapes Spotify writes, checked before the fast arithmetic below (ASCII
#: digits, hours 00-23, minutes and seconds 00-59); the date itself is checked by ``date``.
_EXTENDED_TS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z")
_ACCOUNT_TS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]")
#: Other plain UTC forms (seconds missing, fractions, '+00:00'); ranges checked by datetime.
_OTHER_TS = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|\+00:00)?"
)


class Stream(NamedTuple):
    """One stream as stored: ``played_at`` is epoch ms UTC of the END of the stream."""

    played_at: int
    ms_played: int
    kind: str  # music | podcast | audiobook | video
    name: str  # track / episode / chapter title
    artist: str  # artist / show / book title: first half of the match key
    album: str | None
    uri: str | None
    details: PlayDetails = NO_DETAILS  # written to the play as read
    author: str | None = None  # audiobook author (account data), stored as a second artist


#: Where a ``Stream`` (and the importer's item, which begins with its fields) holds details.
DETAILS_AT = Stream._fields.index("details")
#: What a stream says in words, held to ``MAX_NAME_CHARS``: its names and its text details.
_TEXT_FIELDS = itemgetter(*map(Stream._fields.index, ("name", "artist", "album", "uri", "author")))
_TEXT_DETAILS = itemgetter(*map(PLAY_DETAIL_COLUMNS.index, TEXT_DETAILS))


def stream_item(stream: Stream, signature: int | None, day: str, hour: int) -> tuple:
    """The importer's item for ``stream`` (``streams.StreamItem``): its fields, then the
    row's ``signature`` and its local ``day`` and ``hour``. The details go as a plain tuple
    in ``PLAY_DETAIL_COLUMNS`` order: items cross the helper process's pipe by ``marshal``,
    which takes no tuple subclass."""
    return (
        *stream[:DETAILS_AT],
        (*stream.details,),
        *stream[DETAILS_AT + 1 :],
        signature,
        day,
        hour,
    )


class _DayCache(dict):
    """'YYYY-MM-DD' -> epoch ms of that UTC midnight, computed once per date."""

    def __missing__(self, day: str) -> int:
        value = (date.fromisoformat(day).toordinal() - _EPOCH_ORDINAL) * _DAY_MS
        self[day] = value
        return value


_days = _DayCache()


def _utc_ms(text: object, sep: str) -> int | None:
    """Epoch ms for 'YYYY-MM-DD<sep>HH:MM[:SS]' (UTC), or None when malformed."""
    if type(text) is not str or len(text) > 40:
        return None
    try:
        n = len(text)
        if n == 20 and sep == "T" and _EXTENDED_TS.fullmatch(text):  # extended
            return (
                _days[text[:10]]
                + int(text[11:13]) * 3_600_000
                + int(text[14:16]) * 60_000
                + int(text[17:19]) * 1000
            )
        if n == 16 and sep == " " and _ACCOUNT_TS.fullmatch(text):  # account: to the minute
            return _days[text[:10]] + int(text[11:13]) * 3_600_000 + int(text[14:16]) * 60_000
        # fromisoformat alone would also read week dates and other scripts' digits
        if not _OTHER_TS.fullmatch(text):
            return None
        iso = text.replace(" ", "T", 1) if sep == " " else text
        if not iso.endswith(("Z", "+00:00")):
            iso += "Z"
        return parse_iso_utc_ms(iso)
    except (ValueError, KeyError):
        return None


def _ms(value: object) -> int | None:
    if type(value) is int:
        return value if value >= 0 else None
    if type(value) is float and value.is_integer() and value >= 0:
        return int(value)
    return None


def _names_ok(stream: Stream) -> bool:
    """``limits.names_ok`` for a Stream's text, in C-level calls (once per row)."""
    text = _TEXT_FIELDS(stream) + _TEXT_DETAILS(stream.details)
    return max(map(len, filter(None, text)), default=0) <= MAX_NAME_CHARS


def _flag(value: object) -> int | None:
    return None if value is None else int(bool(value))


def _text(value: object) -> str | None:
    return value if type(value) is str and value.strip() else None


def _opt(value: object) -> str | None:
    """An optional text field: a string, else absent (a list or number there is noise)."""
    return value if type(value) is str else None


def _timing(row: dict, ts_field: str, sep: str, ms_field: str) -> tuple[int, int] | str:
    """The row's (end time, ms played), or why they cannot be stored (``limits``)."""
    played_at = _utc_ms(row.get(ts_field), sep)
    ms_played = _ms(row.get(ms_field))
    return play_problem(played_at, ms_played, (ts_field, ms_field)) or (played_at, ms_played)


def extended_stream(row: dict, video: bool = False) -> Stream | str:
    """Map an extended-history row (``Streaming_History_Audio/Video_*``, ``endsong_*``)."""
    timing = _timing(row, "ts", "T", "ms_played")
    if type(timing) is str:
        return timing
    played_at, ms_played = timing
    get = row.get
    track_uri, track = _text(get("spotify_track_uri")), _text(get("master_metadata_track_name"))
    if track_uri or track:
        kind = "video" if video else "music"
        name, artist = track or track_uri, get("master_metadata_album_artist_name")
        album, uri = get("master_metadata_album_album_name"), track_uri
    elif _text(get("spotify_episode_uri")) or _text(get("episode_name")):
        kind, uri = "podcast", _text(get("spotify_episode_uri"))
        name, artist, album = _text(get("episode_name")) or uri, get("episode_show_name"), None
    elif (
        _text(get("audiobook_chapter_uri"))
        or _text(get("audiobook_title"))
        or _text(get("audiobook_chapter_title"))
    ):
        kind, uri = "audiobook", _text(get("audiobook_chapter_uri"))
        book = _text(get("audiobook_title"))
        name = _text(get("audiobook_chapter_title")) or book or uri
        artist, album = book, book
    else:
        return NO_METADATA
    stream = Stream(
        played_at,
        ms_played,
        kind,
        name,
        artist if type(artist) is str else "",
        album if type(album) is str else None,
        uri,
        PlayDetails(
            _flag(get("skipped")),
            _flag(get("shuffle")),
            _opt(get("reason_start")),
            _opt(get("reason_end")),
            _opt(get("platform")),
            _flag(get("offline")),
            _flag(get("incognito_mode")),
        ),
    )
    return stream if _names_ok(stream) else NAME_TOO_LONG


def account_stream(row: dict) -> Stream | str:
    """Map an account-data row (``StreamingHistory_music/podcast/audiobook_N``)."""
    timing = _timing(row, "endTime", " ", "msPlayed")
    if type(timing) is str:
        return timing
    played_at, ms_played = timing
    get = row.get
    author = None
    if "trackName" in row or "artistName" in row:
        kind, name, artist = "music", _text(get("trackName")), _text(get("artistName"))
        if (artist, name) == _ACCOUNT_UNKNOWN:
            return NO_METADATA
    elif "episodeName" in row or "podcastName" in row:
        kind, name, artist = "podcast", _text(get("episodeName")), _text(get("podcastName"))
    elif "chapterName" in row or "audiobookName" in row:
        kind, name, artist = "audiobook", _text(get("chapterName")), _text(get("audiobookName"))
        author = _text(get("authorName"))
        name = name or artist
    else:
        return NO_METADATA
    if name is None:
        return NO_METADATA
    album = artist if kind == "audiobook" else None
    stream = Stream(played_at, ms_played, kind, name, artist or "", album, None, author=author)
    return stream if _names_ok(stream) else NAME_TOO_LONG
