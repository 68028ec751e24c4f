"""The search index: folding (accents, case, punctuation), prefixes of any word, ranking by
plays, one user's catalogue only, kept current by triggers, filled by migration 0014, and
hostile queries that reach FTS5 only as quoted words."""

import pytest
from factories import add_plays, database_before

from music_time_machine.daterange import RangeError
from music_time_machine.db import transaction
from music_time_machine.db.migrate import migrate
from music_time_machine.db.search import KIND_SPAN, KINDS, search_catalogue
from music_time_machine.db.users import ensure_local_user
from music_time_machine.normalise import search_key
from music_time_machine.search_terms import MAX_QUERY_CHARS, parse_query

NAMES = [
    "Björk",
    "Beyoncé",
    "AC/DC",
    "Røyksopp",
    "Sigur Rós",
    "Łódź Ensemble",
    "Queens of the Stone Age",
    "Straße",
    "Æther Realm",
    'The "Quoted" Band',
]


def find(conn, user, text, per_kind=10):
    found = search_catalogue(conn, user, parse_query(text), per_kind)
    return {kind: [f.name for f in items] for kind, items in found.items()}


@pytest.fixture
def world(fresh_db):
    conn, user = fresh_db()
    rows = []
    for i, name in enumerate(NAMES):
        rows += [
            (name, f"Song {i}", f"2024-01-{1 + i:02d} 12:{m:02d}:00", 200_000) for m in range(i + 1)
        ]  # the later a name, the more plays
    add_plays(conn, user, rows)
    return conn, user


@pytest.mark.parametrize(
    ("query", "artist"),
    [
        ("bjork", "Björk"),
        ("BJÖRK", "Björk"),
        ("Bjö", "Björk"),
        ("beyon", "Beyoncé"),
        ("ac dc", "AC/DC"),
        ("ac/dc", "AC/DC"),
        ("AC-DC", "AC/DC"),
        ("royksopp", "Røyksopp"),
        ("ros", "Sigur Rós"),
        ("lodz", "Łódź Ensemble"),
        ("stone age", "Queens of the Stone Age"),
        ("strasse", "Straße"),
        ("aether", "Æther Realm"),
        ('"quoted', 'The "Quoted" Band'),
    ],
)
def test_accent_case_and_punctuation_insensitive_prefixes(world, query, artist):
    conn, user = world
    assert artist in find(conn, user, query)["artist"]


def test_tracks_albums_and_artists_ranked_by_plays(world):
    conn, user = world
    found = find(conn, user, "song")
    # Song i has i + 1 plays: most played first.
    assert found["track"] == [f"Song {i}" for i in reversed(range(len(NAMES)))]
    assert found["album"] == [f"Song {i} (single)" for i in reversed(range(len(NAMES)))]
    assert find(conn, user, "s")["artist"] == ["Straße", "Queens of the Stone Age", "Sigur Rós"]
    top = search_catalogue(conn, user, ["song"], 1)
    assert (top["track"][0].plays, top["track"][0].artists) == (len(NAMES), ['The "Quoted" Band'])
    assert (top["album"][0].plays, top["album"][0].artists) == (len(NAMES), ['The "Quoted" Band'])


def test_a_track_is_found_by_its_artist_and_title_together(world):
    conn, user = world
    assert find(conn, user, "bjork song")["track"] == ["Song 0"]
    assert find(conn, user, "bjork song 1")["track"] == []


def test_only_the_users_own_catalogue(world):
    conn, user = world
    other = conn.execute(
        "INSERT INTO users (display_name) VALUES ('other') RETURNING id"
    ).fetchone()[0]
    add_plays(conn, other, [("Björk Tribute", "Hidden", "2024-02-01 10:00:00", 200_000)])
    assert find(conn, user, "bjork")["artist"] == ["Björk"]
    assert find(conn, user, "hidden") == {"artist": [], "album": [], "track": []}
    assert find(conn, other, "bjork")["artist"] == ["Björk Tribute"]


def test_triggers_keep_the_index_current(world):
    conn, user = world
    with transaction(conn):
        conn.execute(
            "UPDATE artists SET name = 'Bjork Renamed', name_key = 'bjork renamed' "
            "WHERE name = 'Björk'"
        )
    assert find(conn, user, "renamed")["artist"] == ["Bjork Renamed"]
    track = conn.execute("SELECT id FROM tracks WHERE name = 'Song 3'").fetchone()[0]
    with transaction(conn):
        conn.execute("DELETE FROM plays WHERE track_id = ?", (track,))
        for table in (
            "rollup_day_track",
            "rollup_month_track",
            "rollup_year_track",
            "rollup_track_total",
            "rollup_track_first",
            "rollup_track_gap",
            "rollup_track_hour",
        ):
            conn.execute(f"DELETE FROM {table} WHERE track_id = ?", (track,))
        conn.execute("DELETE FROM tracks WHERE id = ?", (track,))
    assert "Song 3" not in find(conn, user, "song")["track"]
    with transaction(conn):
        conn.execute("DELETE FROM users WHERE id = ?", (user,))
    assert conn.execute("SELECT COUNT(*) FROM search_names").fetchone()[0] == 0


def test_the_sql_fold_equals_the_python_fold(world):
    conn, _user = world
    for words, name in conn.execute(
        "SELECT s.words, a.name FROM search_names s JOIN artists a ON s.rowid = a.id + ?",
        (KINDS["artist"] * KIND_SPAN,),
    ):
        assert words == search_key(name), name


def test_migration_0014_indexes_the_existing_catalogue(tmp_path, monkeypatch):
    conn = database_before(tmp_path / "old.sqlite", monkeypatch, 14)
    user = ensure_local_user(conn, "UTC")
    add_plays(conn, user, [("Björk", "Jóga", "2024-01-01 10:00:00", 200_000)])
    migrate(conn)
    assert find(conn, user, "bjork jo")["track"] == ["Jóga"]
    assert find(conn, user, "bjork")["artist"] == ["Björk"]
    conn.close()


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "'",
        "*",
        "bjork*",
        "NEAR(bjork song)",
        "bjork OR song",
        "NOT bjork",
        "AND",
        "^bjork",
        "artist:bjork",
        "words:bjork",
        "user_id:1",
        "(",
        ")",
        "-bjork",
        "bjork\x00song",
        "\x01\x02\x1f",
        "🎵 bjork",
        "\u202ebjork",
        "%",
        "_",
        "a" * MAX_QUERY_CHARS,
    ],
)
def test_hostile_queries_are_only_words(world, query):
    conn, user = world
    terms = parse_query(query)
    assert all(t.isalnum() or "_" in t for t in terms)
    found = find(conn, user, query)
    assert set(found) == {"artist", "album", "track"}


def test_overlong_and_wordy_queries_are_refused_naming_q():
    with pytest.raises(RangeError, match="^q: must be at most 200 characters"):
        parse_query("a" * 10_000)
    with pytest.raises(RangeError, match="^q: must have at most 8 words"):
        parse_query("a " * 9)
    assert parse_query("!!! ...") == []
    assert parse_query(None) == []
