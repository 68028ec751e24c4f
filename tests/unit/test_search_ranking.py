"""Search ranks exactly by plays however it finds the matches: the most played items
walked in plays order (a common prefix) or every match ranked from the index (a rare one,
or too few matches among the most played). Checked against a plain computation over the
raw plays and names, with ties in plays and minutes broken by name, unplayed matches last,
and walks cut short to force every path."""

import random

import pytest
from factories import add_plays, database_before, vm_steps

from music_time_machine.db import search
from music_time_machine.db.migrate import migrate
from music_time_machine.db.search import KIND_SPAN, KINDS, search_catalogue
from music_time_machine.db.users import ensure_local_user
from music_time_machine.normalise import search_key
from music_time_machine.search_terms import parse_query

WORDS = ["alpha", "beta", "bench", "song", "stone", "blue", "age", "arc", "sun"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from conftest import open_fresh_db

    conn, user = open_fresh_db(tmp_path_factory.mktemp("search") / "mtm.sqlite", "UTC")
    rng = random.Random(16)
    rows = []
    for a in range(30):
        artist = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {a}"
        for t in range(rng.randint(1, 4)):
            track = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {t}"
            plays = rng.choice([0, 1, 1, 2, 3, 5, 8])  # equal counts: ties to break by name
            for n in range(plays):
                rows.append((artist, track, f"2024-03-{1 + n:02d} 10:{a:02d}:{t:02d}", 200_000))
            rows.append((artist, track, f"2024-04-01 09:{a:02d}:{t:02d}", 5_000))  # short
    add_plays(conn, user, rows)
    yield conn, user
    conn.close()


def oracle(conn, user, kind, terms, per_kind):
    """(name, plays, ms) of the top matches, from the plays and names alone."""
    items = {}
    for artist, track, ms in conn.execute(
        "SELECT a.name, t.name, p.ms_played FROM plays p JOIN tracks t ON t.id = p.track_id "
        "JOIN track_artists ta ON ta.track_id = t.id JOIN artists a ON a.id = ta.artist_id "
        "WHERE p.user_id = ?",
        (user,),
    ):
        key = artist if kind == "artist" else (artist, track)
        words = search_key(artist).split() + ([] if kind == "artist" else search_key(track).split())
        entry = items.setdefault(key, [words, 0, 0])
        entry[1] += ms >= 30_000
        entry[2] += ms
    ids = {
        (a if kind == "artist" else (a, t)): (a_id if kind == "artist" else t_id)
        for a, a_id, t, t_id in conn.execute(
            "SELECT a.name, a.id, t.name, t.id FROM tracks t "
            "JOIN track_artists ta ON ta.track_id = t.id JOIN artists a ON a.id = ta.artist_id"
        )
    }
    matched = [
        (key if kind == "artist" else key[1], plays, ms if plays else 0, ids[key])
        for key, (words, plays, ms) in items.items()
        if all(any(w.startswith(term) for w in words) for term in terms)
    ]
    matched.sort(key=lambda m: (-m[1], -m[2], m[0], m[3]))
    return [m[:3] for m in matched[:per_kind]]


QUERIES = ["a", "b", "s", "be", "son", "stone", "blue 1", "sun age", "zzz", "alpha beta 0"]


@pytest.mark.parametrize("walk", [500, 6, 1])
@pytest.mark.parametrize("per_kind", [1, 4, 20])
def test_results_are_the_top_matches_by_plays(world, monkeypatch, walk, per_kind):
    conn, user = world
    monkeypatch.setattr(search, "WALK_LIMIT", walk)
    monkeypatch.setattr(search, "_WALK_BATCH", 3)
    for query in QUERIES:
        terms = parse_query(query)
        found = search_catalogue(conn, user, terms, per_kind)
        for kind in ("artist", "track"):
            got = [(f.name, f.plays, f.ms_played) for f in found[kind]]
            assert got == oracle(conn, user, kind, terms, per_kind), (query, kind)


def test_a_common_prefix_is_answered_by_the_walk(world, monkeypatch):
    """The walk really answers a common prefix: with the index made unusable, "a" and "b"
    still find their top matches."""
    conn, user = world
    per_kind = 3
    expected = {q: oracle(conn, user, "track", [q], per_kind) for q in ("a", "b")}
    monkeypatch.setattr(search, "fts_query", lambda terms: "nothing_matches_this")
    for query, top in expected.items():
        found = search_catalogue(conn, user, [query], per_kind)["track"]
        assert [(f.name, f.plays, f.ms_played) for f in found] == top


def test_each_kind_reads_only_its_own_part_of_the_index(fresh_db):
    """Rowids are numbered kind first, so the artists' and albums' query for a word that
    only 400 songs have reads none of those songs' index rows (SQLite instructions, not
    time: the same on any machine)."""
    conn, user = fresh_db()
    add_plays(
        conn,
        user,
        [
            ("Band", f"Song {i}", f"2024-01-01 10:{i // 60:02d}:{i % 60:02d}", 200_000)
            + ({"album": "Record"},)
            for i in range(400)
        ],
    )

    def matches(kind):
        sql = f"SELECT COUNT(*) FROM search_names s WHERE {search._ONE_KIND}"
        args = {"match": '"song"*', "user": user, "base": KINDS[kind] * KIND_SPAN}
        found = []
        steps = vm_steps(conn, lambda: found.append(conn.execute(sql, args).fetchone()[0]))
        return found[0], steps

    tracks, track_steps = matches("track")
    assert tracks == 400 and track_steps > 4_000  # the 400 rows are read for tracks
    for kind in ("artist", "album"):
        assert matches(kind)[0] == 0
        assert matches(kind)[1] < track_steps / 10, kind


def test_migration_0018_renumbers_an_existing_index(tmp_path, monkeypatch):
    conn = database_before(tmp_path / "old.sqlite", monkeypatch, 18)
    user = ensure_local_user(conn, "UTC")
    add_plays(conn, user, [("Björk", "Jóga", "2024-01-01 10:00:00", 200_000)])
    migrate(conn)
    kinds = {
        row[0] // KIND_SPAN for row in conn.execute("SELECT rowid FROM search_names").fetchall()
    }
    assert kinds == set(KINDS.values())
    found = search_catalogue(conn, user, ["bjork", "jo"], 5)
    assert [f.name for f in found["track"]] == ["Jóga"]
    assert [f.name for f in search_catalogue(conn, user, ["bjork"], 5)["artist"]] == ["Björk"]
    conn.close()
