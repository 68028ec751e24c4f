"""The one loop that writes streams, shared by the import and the restore.

Each caller reads its own rows, drops the ones it cannot use (rejected, incognito when the
user's settings leave it out) and links each to a song; from there on a stream is treated
alike whichever way it came, once, here:

- rows of one file that share the (time, song) slot and are exactly identical (the same
  ``signature``) are one stream; a restore's rows (``signature`` None) are distinct;
- the same-stream and slot rules (``Reconciler.place``): a stream a stored play already
  is, is a duplicate (and lends that play its URI, see ``adopt_play_uris``); a stream whose
  slot is taken moves a millisecond on. Outside the reconciler's reach and with a free slot
  there is nothing to look up (the common case of a first import);
- the play rule sorts it into plays, short plays or podcast and audiobook streams;
- rows go to the caller's ``write`` (``insert_play_rows``) ``BATCH_ROWS`` at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..db.plays import PLAY_DETAIL_COLUMNS
from ..db.users import UserSettings
from ..reconcile import Reconciler, slot_of
from .file_slots import SlotSet, SlotSignatures
from .rows import DETAILS_AT, Stream
from .summary import FileReport

#: Rows handed to ``write`` at a time (bounds memory on very large files and backups).
BATCH_ROWS = 20_000
#: Kinds whose streams are never music plays: the report counts them apart.
NON_MUSIC = frozenset({"podcast", "audiobook"})

#: One stream: ((song id, stored match key, URI id or None), source, track length in ms or
#: None, item), the item in the importer's mapped-row layout (``rows.stream_item``:
#: ``rows.Stream``'s fields, then signature, local date, local hour).
StreamItem = tuple[tuple[int, str, "int | None"], str, "int | None", tuple]
#: Where an item holds what this loop reads of it besides its first three fields, and
#: where its details hold what the same-stream and play rules read.
_SIGNATURE_DAY_HOUR = slice(len(Stream._fields), None)
_SKIPPED = PLAY_DETAIL_COLUMNS.index("skipped")
_REASON_END = PLAY_DETAIL_COLUMNS.index("reason_end")


def write_streams(
    streams: Iterable[StreamItem],
    reconciler: Reconciler,
    settings: UserSettings,
    report: FileReport,
    write: Callable[[list[tuple]], int],
    batch_rows: int = BATCH_ROWS,
) -> list[tuple[int, int]]:
    """Place, count and write ``streams`` (see the module docstring) into ``report``.

    ``write`` stores a batch of rows in ``db.plays.PLAY_COLUMNS`` order and returns how many
    it added. Returns the (stored play, URI id) pairs of duplicates that came with a URI,
    for the caller to hand to ``adopt_play_uris`` or not.
    """
    user_id = settings.user_id
    rule = settings.play_rule
    local = settings.clock.local
    place = reconciler.place
    near_lo, near_hi = reconciler.reach
    min_ms = rule.min_ms if rule.kind == "min_ms" else None
    counts = rule.counts
    adopted: list[tuple[int, int]] = []
    # Rows' own (time, song) slots and their signatures, and the slots written by this
    # call: exact over the whole file, in little memory (file_slots.py).
    identities = SlotSignatures()
    used = SlotSet()
    batch: list[tuple] = []
    pending = [0, 0, 0]  # plays, short plays, podcasts/audiobooks in ``batch``
    duplicates = 0

    def flush() -> None:
        added = write(batch)
        report.plays_added += pending[0]
        report.short_plays += pending[1]
        report.podcasts_audiobooks += pending[2]
        # The reconciler already caught every stored row this batch could collide with,
        # so this stays 0; if not, the ignored rows are duplicates, not additions.
        report.count_as_duplicates(len(batch) - added)

    for (track_id, match_key, uri_id), source, duration_ms, item in streams:
        played_at, ms_played, kind = item[:3]
        details = item[DETAILS_AT]
        signature, day, hour = item[_SIGNATURE_DAY_HOUR]
        # Distinct streams that share a (time, song) slot with another row or a stored
        # play of another stream (several skips within one minute or second) are stored
        # 1 ms later (Reconciler.place), so the UNIQUE rule keeps them all.
        slot = slot_of(played_at, track_id)
        if signature is not None and identities.repeat(slot, signature):
            duplicates += 1
            continue
        if slot in used or near_lo <= played_at <= near_hi:
            placed = place(
                match_key, track_id, played_at, source, ms_played, used, details[_SKIPPED]
            )
            if placed is None:  # the same stream as a stored play
                duplicates += 1
                if uri_id is not None:
                    adopted.append((reconciler.last_match, uri_id))
                continue
            if placed != played_at:
                played_at = placed
                day, hour = local(played_at)
        else:
            used.add(slot)
        # The stream's details go through as they came (``PLAY_DETAIL_COLUMNS``).
        batch.append(
            (user_id, track_id, played_at, ms_played, kind, source, day, hour, *details, uri_id)
        )
        if kind in NON_MUSIC:
            pending[2] += 1
        elif (
            ms_played >= min_ms
            if min_ms is not None
            else counts(ms_played, details[_REASON_END], duration_ms)
        ):
            pending[0] += 1
        else:
            pending[1] += 1
        if len(batch) >= batch_rows:
            flush()
            batch, pending = [], [0, 0, 0]
    if batch:
        flush()
    report.duplicates += duplicates
    return adopted
