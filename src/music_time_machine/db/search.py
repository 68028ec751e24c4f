"""Search over one user's artists, albums and tracks: an FTS5 index kept by triggers.

Why FTS5 with triggers: a search must find a *word* by its beginning anywhere in a name
("stone" finds Queens of the Stone Age), several words at once, and stay an index lookup at
a million plays. FTS5 prefix queries do exactly that (with prefix indexes for one to three
letters, so even "a" is a lookup, not a scan). Triggers on ``artists``, ``albums`` and
``tracks`` keep the index current on every catalogue write, whoever makes it: imports, sync,
restore, the demo, undoing an import, merging songs, deleting a user (foreign-key cascades
fire triggers too). Migration 0014 creates them and fills the index for existing rows.

What is indexed is each name's ``search_key`` (normalise.py): the stored ``name_key``
(case, accents and punctuation folded by Python when the row was written) with a few more
letters spelt plainly, in SQL. A query is reduced by the same ``search_key``, so "bjork"
finds Björk and "AC/DC" finds "ac dc". A track is indexed with its primary artist's name
too ("radiohead creep"). Nothing of a query reaches FTS5 syntax: every term is a run of
word characters, quoted.

Rowids encode the item: ``kind * 2**40 + id`` (1 artist, 2 album, 3 track), so a trigger
can replace one item's entry by rowid, and a query for one kind asks FTS5 for that kind's
rowid range only: FTS5 seeks its sorted doclists to the range, so albums beginning with "s"
are found without reading the 70,000 tracks that do (migration 0018 moved the index from
``id * 4 + kind``, where every kind was read and filtered; ids stay far below 2**40).
A table rebuilt by a future migration loses its
triggers: that migration must call ``install_search_index`` again.

Ranking at a million plays: a one-letter prefix matches nearly every name (100,000 of a
heavy listener's), and ranking all of them by plays took a quarter of a second. Artists,
albums and tracks are therefore first looked for among the user's most played items, in plays
order from their totals' rank index, each checked against the terms in Python by the same
words the index holds (``_matches``); the first ``per_kind`` that match are exactly the
top matches by plays. Only when the most played ``WALK_LIMIT`` items hold too few matches
(a rare or long query, which the index answers quickly) is the index asked and every
match ranked, as before.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from ..normalise import SEARCH_LETTERS, search_key_sql
from .catalogue import album_artists, track_artists

KINDS = {"artist": 1, "album": 2, "track": 3}
#: An item's rowid is ``KINDS[kind] * KIND_SPAN + id``.
KIND_SPAN = 2**40
_SOURCES = {
    # kind: (table, the column the words come from, the words as SQL over the row alias "r")
    "artist": ("artists", "name_key", "r.name_key"),
    "album": ("albums", "name_key", "r.name_key"),
    "track": ("tracks", "match_key", "replace(r.match_key, char(31), ' ')"),
}


def install_search_index(conn: sqlite3.Connection) -> None:
    """Create the index and its triggers, and fill it from the catalogue (migration 0014)."""
    conn.execute(
        "CREATE VIRTUAL TABLE search_names USING fts5(words, user_id UNINDEXED, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')"
    )
    for kind, (table, column, words) in _SOURCES.items():
        base = KINDS[kind] * KIND_SPAN
        insert = (
            "INSERT INTO search_names (rowid, words, user_id) VALUES "
            "(NEW.id + {base}, {words}, NEW.user_id);"
        )
        row_words = search_key_sql(words.replace("r.", "NEW."))
        conn.execute(
            f"CREATE TRIGGER {table}_search_insert AFTER INSERT ON {table} BEGIN "
            f"{insert.format(base=base, words=row_words)} END"
        )
        conn.execute(
            f"CREATE TRIGGER {table}_search_delete AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM search_names WHERE rowid = OLD.id + {base}; END"
        )
        conn.execute(
            f"CREATE TRIGGER {table}_search_update AFTER UPDATE OF id, user_id, {column} "
            f"ON {table} BEGIN "
            f"DELETE FROM search_names WHERE rowid = OLD.id + {base}; "
            f"{insert.format(base=base, words=row_words)} END"
        )
        conn.execute(
            f"INSERT INTO search_names (rowid, words, user_id) "
            f"SELECT r.id + {base}, {search_key_sql(words)}, r.user_id FROM {table} r"
        )


#: One kind's matches of the user: the kind's rowid range, which FTS5 seeks to.
_ONE_KIND = (
    "search_names MATCH :match AND s.user_id = :user "
    f"AND s.rowid BETWEEN :base AND :base + {KIND_SPAN - 1}"
)
#: kind: its matches with the user's all-time plays and minutes (0 for unplayed ones).
_RANKED = {
    kind: (
        "SELECT i.id, i.name, COALESCE(t.plays, 0) AS plays, COALESCE(t.ms_played, 0) AS ms "
        f"FROM search_names s JOIN {table} i ON i.id = s.rowid - :base AND i.user_id = :user "
        f"LEFT JOIN rollup_{kind}_total t ON t.user_id = i.user_id AND t.{kind}_id = i.id "
        f"WHERE {_ONE_KIND}"
    )
    for kind, (table, _column, _words) in _SOURCES.items()
}


def reinstall_search_index(conn: sqlite3.Connection) -> None:
    """Rebuild the index and its triggers with the current rowids (migration 0018)."""
    drop_search_index(conn)
    install_search_index(conn)


@dataclass(frozen=True)
class Found:
    """One search result: what it is, its id, its name, who made it and the user's plays."""

    kind: str
    id: int
    name: str
    artists: list[str]
    plays: int
    ms_played: int


def fts_query(terms: list[str]) -> str:
    """Every term as a quoted prefix, all required: ``"bjo"* "gud"*``."""
    return " ".join(f'"{term}"*' for term in terms)


def search_catalogue(
    conn: sqlite3.Connection, user_id: int, terms: list[str], per_kind: int
) -> dict[str, list[Found]]:
    """Up to ``per_kind`` artists, albums and tracks of this user whose indexed words begin
    with every term, each kind ranked by the user's all-time plays (then minutes, name).

    ``terms`` must come from ``search_terms.parse_query`` (word characters only). An
    album's plays are those of its songs (a song belongs to ``tracks.album_id``), kept in
    ``rollup_album_total`` (rollups_albums.py).
    """
    if not terms:
        return {kind: [] for kind in KINDS}
    match = fts_query(terms)
    walked = {kind: _walk(conn, user_id, kind, terms, per_kind) for kind in _WALKS}
    found: dict[str, list[Found]] = {}
    for kind, sql in _RANKED.items():
        rows = walked.get(kind)
        if rows is None:
            base = KINDS[kind] * KIND_SPAN
            rows = conn.execute(
                f"{sql} ORDER BY plays DESC, ms DESC, 2, 1 LIMIT :limit",
                {"user": user_id, "match": match, "base": base, "limit": per_kind},
            ).fetchall()
        names = _credits(conn, kind, [r[0] for r in rows])
        found[kind] = [Found(kind, r[0], r[1], names.get(r[0], []), r[2], r[3]) for r in rows]
    return found


#: The most played items of a kind looked through before asking the index (see the module
#: docstring); read in batches, so a common prefix stops after the first one.
WALK_LIMIT = 500
_WALK_BATCH = 100
#: kind: the items by all-time plays (rank index order), with name and indexed key.
_WALKS = {
    kind: (
        f"SELECT r.{kind}_id, i.name, r.plays, r.ms_played, i.{column} "
        f"FROM rollup_{kind}_total r INDEXED BY rollup_{kind}_total_rank "
        f"CROSS JOIN {table} i ON i.id = r.{kind}_id WHERE r.user_id = ? "
        "ORDER BY r.plays DESC, r.ms_played DESC LIMIT ?"
    )
    for kind, (table, column, _words) in _SOURCES.items()
}
#: What the index's tokenizer (unicode61) splits words on, in an already folded key.
_SEPARATORS = re.compile(r"[\W_]+")


def _walk(
    conn: sqlite3.Connection, user_id: int, kind: str, terms: list[str], per_kind: int
) -> list[tuple] | None:
    """The top ``per_kind`` matches (id, name, plays, ms) among the ``WALK_LIMIT`` most
    played items of the kind, ranked as the index query ranks them (plays, minutes, name,
    id); None when they cannot be known from those alone (too few matches among them, or
    a term the index would split into several words)."""
    if any(not term.isalnum() for term in terms):
        return None
    cursor = conn.execute(_WALKS[kind], (user_id, WALK_LIMIT))
    try:
        found: list[tuple] = []
        seen = 0
        while batch := cursor.fetchmany(_WALK_BATCH):
            seen += len(batch)
            for item_id, name, plays, ms, key in batch:
                if len(found) >= per_kind and (plays, ms) < found[per_kind - 1][2:4]:
                    # Every later item has fewer plays (or as many and fewer minutes) than
                    # the last one kept: the ranking is complete.
                    return _ranked(found, per_kind)
                if _matches(key, terms):
                    found.append((item_id, name, plays, ms))  # in (plays, ms) order
        # Every played item was looked at: complete unless unplayed matches must fill up.
        if seen < WALK_LIMIT and len(found) >= per_kind:
            return _ranked(found, per_kind)
        return None
    finally:
        cursor.close()


def _ranked(found: list[tuple], per_kind: int) -> list[tuple]:
    """Matches in the index query's order: plays, minutes, then name and id among ties."""
    return sorted(found, key=lambda f: (-f[2], -f[3], f[1], f[0]))[:per_kind]


def _matches(key: str, terms: list[str]) -> bool:
    """Whether every term begins a word of a stored ``name_key``/``match_key``: the words
    the index holds for it (``search_key_sql``, split as its tokenizer splits)."""
    for letter, plain in SEARCH_LETTERS.items():
        key = key.replace(letter, plain)
    words = _SEPARATORS.split(key)
    return all(any(word.startswith(term) for word in words) for term in terms)


def _credits(conn: sqlite3.Connection, kind: str, ids: list[int]) -> dict[int, list[str]]:
    """Artists shown beside a track (its credits in order) or an album (the primary artist
    of most of its songs); none for an artist."""
    if not ids or kind == "artist":
        return {}
    return track_artists(conn, ids) if kind == "track" else album_artists(conn, ids)


def drop_search_index(conn: sqlite3.Connection) -> None:
    """Remove the index and its triggers: a per-user backup leaves them out (the restore
    refuses any virtual table or trigger in a file it did not make itself, and the index is
    rebuilt by the restoring database's own triggers as the rows land)."""
    for table, _column, _words in _SOURCES.values():
        for event in ("insert", "delete", "update"):
            conn.execute(f"DROP TRIGGER IF EXISTS {table}_search_{event}")
    conn.execute("DROP TABLE IF EXISTS search_names")
