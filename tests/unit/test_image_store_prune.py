"""ImageStore.prune: only old renditions of keys nobody keeps go, nothing else in or out of
the store is touched, and a picture ``put`` meanwhile is never lost."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest
from factories import picture

from music_time_machine.metadata.image_store import LOCK_FILE, ImageStore
from music_time_machine.metadata.imaging import SIZES

HOUR_S = 3600


def age(store: ImageStore, key: str, seconds: float) -> None:
    """Make every rendition of ``key`` last written ``seconds`` ago."""
    then = time.time() - seconds
    for size in SIZES:
        os.utime(store.path(key, size), (then, then))


def files_under(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    }


def renditions(key: str) -> set[str]:
    return {f"images/{key[:2]}/{key}-{size}.webp" for size in SIZES}


@pytest.fixture
def store(tmp_path: Path) -> ImageStore:
    return ImageStore.in_data_dir(tmp_path)


def stored(store: ImageStore, n: int, hours_old: float = 2) -> str:
    key = store.put(picture(40 + n, 40, colour=(n, 80, 120)))
    age(store, key, hours_old * HOUR_S)
    return key


def an_hour_ago() -> float:
    return time.time() - HOUR_S


def test_old_files_of_keys_not_kept_go_and_kept_or_young_ones_stay(store, tmp_path):
    gone, kept, young = stored(store, 1), stored(store, 2), stored(store, 3, hours_old=0.5)
    before = files_under(tmp_path)

    assert store.prune({kept}, an_hour_ago()) == len(SIZES)

    assert files_under(tmp_path) == before - renditions(gone)
    assert not any(store.path(gone, s).exists() for s in SIZES)
    assert store.has(kept) and store.has(young)


def test_a_key_with_a_rendition_already_gone_loses_the_rest(store, tmp_path):
    partial = stored(store, 1)
    store.path(partial, SIZES[0]).unlink()
    assert store.prune(set(), an_hour_ago()) == len(SIZES) - 1
    assert files_under(tmp_path) == {f"images/{LOCK_FILE}"}
    assert not (store.root / partial[:2]).exists()  # the folder it left empty went too


def test_names_that_are_not_renditions_and_symlinks_are_left_alone(store, tmp_path):
    key = stored(store, 1)
    folder = store.root / key[:2]
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "precious.webp"
    victim.write_bytes(b"not the store's")
    other = "f" * 32
    strays = {
        folder / f".{key}-64.webp.tmp": b"a crash's half-written file",
        folder / f"{key}-65.webp": b"no such size",
        folder / f"{key}-64.png": b"another extension",
        folder / "notes.txt": b"somebody's notes",
        store.root / f"{key}-64.webp": b"a rendition name outside its folder",
        store.root / "zz" / f"{other}-64.webp": b"in a folder that is not its key's",
        store.root / key[:2].upper() / f"{key}-64.webp": b"in a folder of another name",
    }
    for path, data in strays.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    linked = f"{key[:2]}{'0' * 30}"
    (folder / f"{linked}-64.webp").symlink_to(victim)  # a rendition's name, a link's body
    sneaky = "ee"
    (store.root / sneaky).symlink_to(outside, target_is_directory=True)  # a folder link
    (outside / f"{sneaky}{'1' * 30}-64.webp").write_bytes(b"reached only through the link")
    old = time.time() - 2 * HOUR_S
    for path in [*strays, victim, outside / f"{sneaky}{'1' * 30}-64.webp"]:
        os.utime(path, (old, old))
    before = files_under(tmp_path)

    assert store.prune(set(), an_hour_ago()) == len(SIZES)

    assert files_under(tmp_path) == before - renditions(key)
    assert victim.read_bytes() == b"not the store's"


def test_nothing_to_prune_where_there_is_no_store(tmp_path):
    store = ImageStore(tmp_path / "never-made")
    assert store.prune(set(), time.time()) == 0
    assert not store.root.exists()


def test_putting_a_stored_picture_again_claims_its_files_for_the_grace_period(store):
    """Another user's enrichment reaching a cover nobody shows any more: the row it is about
    to save must find the files there."""
    data = picture(60, 60, colour=(5, 6, 7))
    key = store.put(data)
    age(store, key, 3 * HOUR_S)
    assert store.put(data) == key  # claimed, not rendered again
    assert store.prune(set(), an_hour_ago()) == 0
    assert store.has(key)


class ProbingKeep:
    """A ``keep`` that, each time prune asks it, checks whether a ``put`` could take the
    store's lock right then."""

    def __init__(self, store: ImageStore) -> None:
        self.lock_path = store.root / LOCK_FILE
        self.put_could_run: list[bool] = []

    def __contains__(self, key: object) -> bool:
        handle = os.open(self.lock_path, os.O_RDONLY)
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            self.put_could_run.append(True)
        except BlockingIOError:
            self.put_could_run.append(False)
        finally:
            os.close(handle)
        return False


def test_prune_holds_the_lock_put_shares_while_it_looks_and_deletes(store):
    stored(store, 1), stored(store, 2)
    keep = ProbingKeep(store)
    assert store.prune(keep, an_hour_ago()) == 2 * len(SIZES)
    assert keep.put_could_run and not any(keep.put_could_run)


def test_a_put_waits_for_a_prune_in_progress_and_then_writes_the_picture_again(store):
    data = picture(70, 70, colour=(9, 9, 9))
    key = store.put(data)
    age(store, key, 3 * HOUR_S)
    done = threading.Event()
    handle = os.open(store.root / LOCK_FILE, os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX)  # a prune is between its look and its deletion
    try:
        putting = threading.Thread(target=lambda: (store.put(data), done.set()))
        putting.start()
        # Waiting, not claiming the files about to go (a very slow machine could only make
        # this pass without a lock, never fail with one).
        assert not done.wait(0.3)
        for size in SIZES:  # what the prune holding the lock then does
            store.path(key, size).unlink()
    finally:
        os.close(handle)
    putting.join(10)
    assert done.is_set() and store.has(key)  # written again, since its files had gone
