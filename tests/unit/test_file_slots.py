"""The in-file slot bookkeeping (importers/file_slots.py) answers exactly like a plain set
and dict, in whatever order rows come, while holding only two generations in dicts."""

from __future__ import annotations

import random
import tracemalloc

from music_time_machine.importers.file_slots import SlotSet, SlotSignatures
from music_time_machine.reconcile import slot_of

_T0 = 1_600_000_000_000  # ms, 2020


def _slots(rng: random.Random, n: int) -> list[int]:
    """Mostly in time order, with repeats, rows from long ago and one far-future slot."""
    out = []
    t = _T0
    for i in range(n):
        t += rng.choice((0, 0, 1000, 60_000))
        roll = rng.random()
        if roll < 0.1 and out:
            out.append(rng.choice(out))  # a slot seen before, near or far back
        elif roll < 0.15:
            out.append(slot_of(_T0 - rng.randint(0, 10**9), rng.randint(1, 50)))  # long ago
        else:
            out.append(slot_of(t, rng.randint(1, 50)))
        if i == n // 2:
            out.append(1 << 70)  # beyond what a packed run holds
    return out


def test_slot_set_answers_like_a_set():
    rng = random.Random(1)
    packed, plain = SlotSet(generation_rows=7), set()
    for slot in _slots(rng, 3000):
        assert (slot in packed) == (slot in plain)
        if rng.random() < 0.7:
            packed.add(slot)
            plain.add(slot)
    assert packed.packed_range[1] > 0  # older generations were packed
    assert all(slot in packed for slot in plain)
    assert len(packed) >= len(plain)


def test_slot_signatures_find_repeats_like_a_dict():
    rng = random.Random(2)
    packed, plain = SlotSignatures(generation_rows=5), {}
    for slot in _slots(rng, 3000):
        signature = rng.choice((11, 12, -13, 2**62))
        expected = signature in plain.get(slot, ())
        assert packed.repeat(slot, signature) == expected
        plain.setdefault(slot, set()).add(signature)
    assert packed.packed_range[1] > 0
    assert all(packed.repeat(s, sig) for s, sigs in plain.items() for sig in sigs)
    assert len(packed) == sum(map(len, plain.values()))


def test_a_long_file_in_time_order_keeps_little_in_memory():
    """A million-row file held ~190 bytes a row in a dict and a set; now older rows take
    8 (written slots) + 16 (slot and signature) bytes, and the dicts two generations."""
    rows = 200_000
    slots = [slot_of(_T0 + i * 1000, 1 + i % 5000) for i in range(rows)]
    tracemalloc.start()
    try:
        used, identities = SlotSet(generation_rows=4096), SlotSignatures(generation_rows=4096)
        base = tracemalloc.get_traced_memory()[0]
        for i, slot in enumerate(slots):
            assert not identities.repeat(slot, hash((i, "row")))
            used.add(slot)
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert held < 40 * rows
    assert identities.repeat(slots[10], hash((10, "row")))
    assert slots[10] in used and slot_of(_T0 + 500, 1) not in used
