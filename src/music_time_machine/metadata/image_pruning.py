"""Pictures nobody shows any more leave the image store.

The store keeps one copy of each picture for every user whose albums or artists show it
(``metadata.image_store``), so deleting a user's rows cannot delete their files: someone
else may show the same cover. But a folder of covers says what someone listened to, so once
no row of any user refers to a key, its files go too. That is checked after the rows go,
never before: the rows are deleted and committed first, then ``prune_unshown_images`` reads
which keys are still shown and deletes the rest. A crash in between leaves only files no
row refers to, which the next prune removes.

It runs where keys stop being referenced: after *Clear all data* and *Delete my account*
(``web.data``), after the artwork phase forgets pictures whose files went missing (their
leftover renditions; ``metadata.artwork``), and when ``mtm serve`` starts (what a crash,
or an import undone at start, left behind).

Another user's enrichment may have stored a picture and not yet saved the row showing it:
a file written or claimed by ``ImageStore.put`` less than ``GRACE_S`` ago is never deleted
(see ``ImageStore.prune`` for why that rule is exact).
"""

from __future__ import annotations

import logging
import sqlite3
import time

from ..db.artwork import image_keys
from .image_store import ImageStore

log = logging.getLogger(__name__)

#: Files written or claimed this recently stay, shown or not: a ``put``'s caller has this
#: long to save its row (an enrichment saves it at once; an hour covers a busy database).
GRACE_S = 3600.0


def prune_unshown_images(
    conn: sqlite3.Connection, store: ImageStore, grace_s: float = GRACE_S
) -> int | None:
    """Delete the files of every key no user's album or artist shows (older than
    ``grace_s``); returns how many files went, or None when it failed.

    A failure (the database busy, a folder that cannot be read) is logged, not raised: the
    callers' own work (a clear, a start) has already succeeded, and the next prune tries
    again. Call it outside a transaction, after the rows' deletion is committed.
    """
    modified_before = time.time() - grace_s  # taken before the keys are read: see prune
    try:
        removed = store.prune(image_keys(conn, None), modified_before)
    except (OSError, sqlite3.Error):
        log.exception("could not remove the pictures nobody shows any more; tried again later")
        return None
    if removed:
        log.info("removed %s picture file(s) nobody shows any more", removed)
    return removed
