"""When is an incoming row the same stream as a play already stored? Decided here, once.

The same stream reaches us from up to three sources with different clocks:

- ``extended`` export: ``ts`` = end of stream, to the second;
- the Web API (``api``, the live sync): ``played_at`` = end of stream, to the millisecond,
  but a few seconds off the export's ``ts`` (clock skew, rounding);
- ``account`` export: ``endTime`` = end of stream truncated to the minute, no URI.

Rule (windows from ``rules.py``). An incoming row at time ``t`` is the same stream as an
existing play at ``e`` when it is the same song: the same ``match_key`` (primary artist +
normalised title, whatever its URI; two different keys are never merged) and:

- same source: ``e == t`` exactly (a source never reports one stream twice with different
  times; rows of one file that share a time are distinct streams, see ``importers/run.py``);
- account vs extended: ``e`` lies in the minute ``[m, m + MINUTE_TRUNCATION_MS)`` where ``m``
  is the account row's minute;
- account vs api: that minute widened by ``API_EXPORT_WINDOW_MS`` on both sides (the API's
  own skew can carry a stream across a minute boundary);
- any other pair of sources (api vs extended, ...): ``|e - t| <= API_EXPORT_WINDOW_MS``.

Matching is one-to-one: an existing play absorbs at most one incoming row, so two short
streams of one track within the same minute stay two plays when both sources have both.
Among several candidates the earliest one is taken (preferring an equal ``ms_played``
when the caller gives one), which is the optimal greedy choice for time-ordered input.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from typing import Protocol

from .db.plays import play_span, stored_streams
from .rules import API_EXPORT_WINDOW_MS, MINUTE_TRUNCATION_MS

#: Sources whose timestamps are truncated to the minute.
MINUTE_SOURCES = frozenset({"account"})

#: Existing plays are loaded in slices of this much time, and at most this many slices are
#: kept in memory (a slice is reloaded if needed again; consumed plays are remembered).
_SLICE_MS = 7 * 86_400_000
_MAX_SLICES = 64
#: The widest distance between two times that can still be one stream.
_REACH_MS = MINUTE_TRUNCATION_MS + 2 * API_EXPORT_WINDOW_MS


def _minute(ms: int) -> int:
    return ms - ms % MINUTE_TRUNCATION_MS


def same_stream(incoming_source: str, t: int, existing_source: str, e: int) -> bool:
    """The time part of the rule above (the caller has already matched the track)."""
    if incoming_source == existing_source:
        return e == t
    in_minute = incoming_source in MINUTE_SOURCES
    ex_minute = existing_source in MINUTE_SOURCES
    if in_minute and ex_minute:
        return _minute(e) == _minute(t)
    if in_minute or ex_minute:
        m, other_source, other = (t, existing_source, e) if in_minute else (e, incoming_source, t)
        m = _minute(m)
        slack = API_EXPORT_WINDOW_MS if other_source == "api" else 0
        return m - slack <= other < m + MINUTE_TRUNCATION_MS + slack
    return abs(e - t) <= API_EXPORT_WINDOW_MS


class Slots(Protocol):
    """Slots taken so far: a ``set`` of ints, or ``importers.file_slots.SlotSet``."""

    def __contains__(self, slot: object) -> bool: ...

    def add(self, slot: int) -> None: ...


class Reconciler:
    """Answers ``is_duplicate`` against the plays already stored for one user.

    Create one per transaction (an import file, a sync batch): it sees the plays stored
    before it was created (never the rows its own caller writes afterwards, so a file's own
    rows never absorb each other), caches them by time slice and remembers which ones it
    has matched.
    """

    def __init__(self, conn: sqlite3.Connection, user_id: int) -> None:
        self.conn = conn
        self.user_id = user_id
        lo, hi, last_id = play_span(conn, user_id)
        self._bounds = (lo, hi) if lo is not None else (1, 0)
        self._last_id = last_id or 0
        #: Incoming times outside this span can match no stored play (``is_duplicate`` is
        #: False and ``occupied`` too): callers may skip both for them.
        self.reach = (lo - _REACH_MS, hi + _REACH_MS) if lo is not None else (1, 0)
        # slice number -> (match_key -> [(played_at, source, ms_played, play_id)], slots)
        self._slices: OrderedDict[int, tuple[dict[str, list[tuple]], set[int]]] = OrderedDict()
        self._consumed: set[int] = set()
        #: The id of the stored play the last positive ``is_duplicate`` matched.
        self.last_match: int | None = None

    def is_duplicate(
        self,
        match_key: str,
        played_at: int,
        source: str,
        ms_played: int | None = None,
        skipped: object = None,
    ) -> bool:
        """True if a stored play is this stream; that play is then used up.

        A stored play from the same source is this stream only if it is the same row: the
        same time and the same ``skipped`` flag (two streams of one song in one second, one
        skipped and one not, stay two however the file is re-read). Across sources the time
        windows above decide, preferring the same source, then the same ``ms_played``.
        """
        skipped = _flag(skipped)
        best = None
        for number in range(
            (played_at - _REACH_MS) // _SLICE_MS, (played_at + _REACH_MS) // _SLICE_MS + 1
        ):
            candidates = self._slice(number)[0].get(match_key)
            if not candidates:
                continue
            for cand in candidates:
                e, src, ms, play_id, was_skipped = cand
                if play_id in self._consumed or not same_stream(source, played_at, src, e):
                    continue
                if src == source and was_skipped != skipped:
                    continue
                rank = (src != source, ms_played is not None and ms != ms_played, e)
                if best is None or rank < best[0]:
                    best = (rank, play_id)
        if best is None:
            return False
        self._consumed.add(best[1])
        self.last_match = best[1]
        return True

    def place(
        self,
        match_key: str,
        track_id: int,
        played_at: int,
        source: str,
        ms_played: int | None,
        used: Slots,
        skipped: object = None,
    ) -> int | None:
        """The time to store an incoming stream at, or None when a stored play is this same
        stream (that play is then used up).

        Its own time, unless another stream already holds that (time, track) slot: a row
        written earlier in this run (``used``) or a stored play. Then it moves a millisecond
        on until a slot is free, so the UNIQUE (user, played_at, track) rule keeps both. The
        probing depends only on the input and what was stored before it, so writing the same
        rows again probes the same times, finds its own plays and adds nothing. The chosen
        slot is added to ``used``.
        """
        while True:
            slot = slot_of(played_at, track_id)
            if slot not in used:
                if self.is_duplicate(match_key, played_at, source, ms_played, skipped):
                    return None
                if not self.occupied(track_id, played_at):
                    used.add(slot)
                    return played_at
            played_at += 1

    def occupied(self, track_id: int, played_at: int) -> bool:
        """True if a stored play already has this exact (time, track): the UNIQUE slot."""
        return slot_of(played_at, track_id) in self._slice(played_at // _SLICE_MS)[1]

    def _slice(self, number: int) -> tuple[dict[str, list[tuple]], set[int]]:
        found = self._slices.get(number)
        if found is not None:
            self._slices.move_to_end(number)
            return found
        start = number * _SLICE_MS
        lo, hi = self._bounds
        if start > hi or start + _SLICE_MS <= lo:
            return _EMPTY
        by_key: dict[str, list[tuple]] = {}
        slots: set[int] = set()
        for key, e, src, ms, play_id, track_id, skipped in stored_streams(
            self.conn, self.user_id, start, start + _SLICE_MS, self._last_id
        ):
            by_key.setdefault(key, []).append((e, src, ms, play_id, _flag(skipped)))
            slots.add(slot_of(e, track_id))
        found = (by_key, slots)
        self._slices[number] = found
        if len(self._slices) > _MAX_SLICES:
            self._slices.popitem(last=False)
        return found


_EMPTY: tuple[dict, frozenset] = ({}, frozenset())


def _flag(value: object) -> bool | None:
    """A stored or incoming ``skipped`` (None, 0/1, True/False) as one comparable value."""
    return None if value is None else bool(value)


def slot_of(played_at: int, track_id: int) -> int:
    """(time, song) packed into one int: cheap to hash and store by the million. The UNIQUE
    (user, played_at, track) rule allows one stream per slot."""
    return (played_at << 23) ^ track_id
