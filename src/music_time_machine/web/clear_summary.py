"""What "Clear all data" and "Delete my account" take away, in words a person recognises.

The confirmation page used to list table names ("rollup artist gap"). Here the tables are
grouped into the things people know: their streams, the playlists they made, sync runs,
imports, the songs/albums/artists, the genres and artwork found, and the totals computed from
all of these. A table that a later migration adds falls into that last line, so nothing that
would be deleted is ever left unmentioned.
"""

from __future__ import annotations

from typing import NamedTuple


class Loss(NamedTuple):
    """One line of the list: a count (None when it is not worth a number) and its words."""

    count: int | None
    text: str


#: Tables each shown as "<count> <words>" (singular, plural), in this order.
_PLAYS_NOTE = ": every play in your history, short ones, podcasts and audiobooks included"
_PLAYLISTS_NOTE = " (they stay on Spotify; only this app's record of them goes)"
COUNTED: tuple[tuple[str, str, str], ...] = (
    ("plays", "stream" + _PLAYS_NOTE, "streams" + _PLAYS_NOTE),
    (
        "playlists",
        "playlist you made here" + _PLAYLISTS_NOTE,
        "playlists you made here" + _PLAYLISTS_NOTE,
    ),
    ("sync_runs", "sync run", "sync runs"),
    ("import_jobs", "import of your Spotify data export", "imports of your Spotify data export"),
    ("top_snapshots", "snapshot of your Spotify top lists", "snapshots of your Spotify top lists"),
)
#: The catalogue: named together as one line.
CATALOGUE = ("tracks", "albums", "artists")
#: What enrichment found (MusicBrainz and Spotify): named without a count.
FOUND = ("album_art", "artist_art", "enrichment_wanted")
#: Shown once the page is about an account rather than only its data.
ACCOUNT_LINE = "your account, your preferences and the Spotify connection"


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def recognisable_losses(counts: dict[str, int], account: bool = False) -> list[Loss]:
    """The lines of the confirmation for ``counts`` (table → rows, from ``count_user_rows``).

    Tables with no rows are left out; every other table is covered by exactly one line.
    """
    lines: list[Loss] = []
    for table, one, many in COUNTED:
        n = counts.get(table, 0)
        if n:
            lines.append(Loss(n, _plural(n, one, many)))
    songs, albums, artists = (counts.get(t, 0) for t in CATALOGUE)
    if songs or albums or artists:
        lines.append(
            Loss(
                None,
                f"{songs:,} {_plural(songs, 'song', 'songs')}, {albums:,} "
                f"{_plural(albums, 'album', 'albums')} and {artists:,} "
                f"{_plural(artists, 'artist', 'artists')} your history names",
            )
        )
    if any(counts.get(t, 0) for t in FOUND) or artists:
        lines.append(Loss(None, "the genres and artwork found for your artists and albums"))
    known = {t for t, _, _ in COUNTED} | set(CATALOGUE) | set(FOUND)
    if any(n for t, n in counts.items() if t not in known):
        lines.append(Loss(None, "the totals, search index and bookkeeping computed from these"))
    if account:
        lines.append(Loss(None, ACCOUNT_LINE))
    return lines
