"""What one file's rows have claimed so far, by (time, song) slot, in little memory.

``streams.write_streams`` asks two questions of every row of a file: has an identical row of
this file had this slot already (``SlotSignatures.repeat``), and has this call written a row
into this slot (``SlotSet``)? The answers must be exact over the whole file, however its
rows are ordered. Holding every slot in a dict and a set cost ~190 bytes a row: 190 MB of a
million-row file's import, until the file ended.

Rows of an export arrive nearly in time order, so here the slots of the latest rows live in
a dict or set (the *current* and *previous* generation, ``GENERATION_ROWS`` each), and older
generations are packed into sorted ``array`` runs: 8 bytes a slot (16 with a signature).
A slot above everything packed, the common case for ordered rows, is answered by the dicts
alone; any other is also looked up by bisection in each run whose range holds it, so
out-of-order rows get the same answers, only more slowly. Runs are never merged: merging a
million packed slots built ~120 MB of tuples for a moment, more than the runs themselves.
Slots are ``reconcile.slot_of`` values: non-negative and below 2**64 for any time before
2039; one that is not (a far-future time) stays unpacked.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right

#: Slots a generation holds before the older one is packed (about 12 MB in dicts).
GENERATION_ROWS = 65_536
_SLOT_LIMIT = 1 << 64


class _Generations:
    """Shared bookkeeping: the range of slots packed so far."""

    def __init__(self, generation_rows: int | None) -> None:
        self.generation_rows = generation_rows or GENERATION_ROWS  # (read late: tests set it)
        self._lo = _SLOT_LIMIT  # the lowest and highest packed slot (none yet)
        self._hi = -1

    def _widen(self, run: array) -> None:
        if run:
            self._lo = min(self._lo, run[0])
            self._hi = max(self._hi, run[-1])

    @property
    def packed_range(self) -> tuple[int, int]:
        """(lowest, highest) packed slot; (2**64, -1) before anything is packed."""
        return self._lo, self._hi


class SlotSet(_Generations):
    """The slots written by one call: ``slot in s`` and ``s.add(slot)``, like a set."""

    def __init__(self, generation_rows: int | None = None) -> None:
        super().__init__(generation_rows)
        self._current: set[int] = set()
        self._previous: set[int] = set()
        self._runs: list[array] = []

    def __contains__(self, slot: int) -> bool:
        if slot in self._current or slot in self._previous:
            return True
        if not self._lo <= slot <= self._hi:
            return False
        for run in self._runs:
            if run[0] <= slot <= run[-1]:
                i = bisect_left(run, slot)
                if i < len(run) and run[i] == slot:
                    return True
        return False

    def add(self, slot: int) -> None:
        current = self._current
        current.add(slot)
        if len(current) >= self.generation_rows:
            self._rotate()

    def __len__(self) -> int:
        return len(self._current) + len(self._previous) + sum(map(len, self._runs))

    def _rotate(self) -> None:
        older, self._previous, self._current = self._previous, self._current, set()
        keep = {s for s in older if s >= _SLOT_LIMIT}
        self._previous |= keep
        run = array("Q", sorted(s for s in older if s < _SLOT_LIMIT))
        self._widen(run)
        if run:
            self._runs.append(run)


class SlotSignatures(_Generations):
    """Each slot's row signatures seen so far in one file (several rows may share a slot
    and differ: distinct streams; the same slot and signature is the same row again)."""

    def __init__(self, generation_rows: int | None = None) -> None:
        super().__init__(generation_rows)
        # slot -> signature, or a list of them when distinct rows share the slot
        self._current: dict[int, object] = {}
        self._previous: dict[int, object] = {}
        self._runs: list[tuple[array, array]] = []  # (sorted slots, their signatures)

    def repeat(self, slot: int, signature: int) -> bool:
        """True if a row with this slot and signature came before; else note it, False.
        (A slot's signatures may be spread over generations: each holds those it saw.)"""
        current = self._current
        mine = current.get(slot)
        if mine is not None and _holds(mine, signature):
            return True
        earlier = self._previous.get(slot)
        if earlier is not None and _holds(earlier, signature):
            return True
        if self._lo <= slot <= self._hi and signature in self._packed(slot):
            return True
        current[slot] = signature if mine is None else _with(mine, signature)
        if len(current) >= self.generation_rows:
            self._rotate()
        return False

    def __len__(self) -> int:
        """Rows noted (a slot with several signatures counts for each)."""
        return sum(
            len(v) if type(v) is list else 1
            for gen in (self._current, self._previous)
            for v in gen.values()
        ) + sum(len(slots) for slots, _ in self._runs)

    def _packed(self, slot: int) -> list[int]:
        found: list[int] = []
        for slots, signatures in self._runs:
            if slots[0] <= slot <= slots[-1]:
                found.extend(signatures[bisect_left(slots, slot) : bisect_right(slots, slot)])
        return found

    def _rotate(self) -> None:
        older, self._previous, self._current = self._previous, self._current, {}
        pairs = []
        for slot, value in older.items():
            if slot >= _SLOT_LIMIT:  # kept unpacked, with the newer generation's
                have = self._previous.get(slot)
                self._previous[slot] = value if have is None else _with(have, value)
            elif type(value) is list:
                pairs.extend((slot, v) for v in value)
            else:
                pairs.append((slot, value))
        self._add_run(sorted(pairs))

    def _add_run(self, pairs: list[tuple[int, int]]) -> None:
        if not pairs:
            return
        slots = array("Q", (s for s, _ in pairs))
        self._runs.append((slots, array("q", (v for _, v in pairs))))
        self._widen(slots)


def _holds(value: object, signature: int) -> bool:
    return value == signature or (type(value) is list and signature in value)


def _with(value: object, signature: object) -> list:
    """``value`` (a signature or a list of them) with ``signature`` (or a list) added."""
    return (value if type(value) is list else [value]) + (
        signature if type(signature) is list else [signature]
    )
