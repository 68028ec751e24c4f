"""Fuzzing with hypothesis: what users and scripts can send never makes a 500 or an
unexpected exception, only a 400 with a message (stats API) or a file report (importers)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from factories import add_plays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from music_time_machine.importers import run_import

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# -- the stats API's query strings ---------------------------------------------------------

ENDPOINTS = [
    "summary",
    "volume",
    "top-artists",
    "top-tracks",
    "top-genres",
    "heatmap",
    "discoveries",
]
PARAMS = ["range", "start", "end", "bucket", "limit"]
today = date.today()
PLAUSIBLE = [
    "7d",
    "30d",
    "90d",
    "6m",
    "12m",
    "ytd",
    "all",
    "2024",
    "1899",
    "9999",
    "day",
    "week",
    "month",
    "0",
    "1",
    "100",
    "101",
    "-1",
    "1e3",
    "０１",
    "٣",
    " 7d",
    "2024-02-29",
    "2023-02-29",
    "0001-01-01",
    "1900-01-01",
    "9999-12-31",
    "2024-13-01",
    "2024-1-1",
    today.isoformat(),
    (today - timedelta(days=2000)).isoformat(),
    (today + timedelta(days=1)).isoformat(),
    "",
    "null",
    "NaN",
    "∞",
]
values = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.text(max_size=24),
    st.from_regex(r"-?[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}", fullmatch=True),
    st.integers().map(str),
)
queries = st.dictionaries(st.sampled_from(PARAMS), values, max_size=5)
raw_queries = st.one_of(
    st.binary(max_size=64),
    st.lists(
        st.sampled_from(
            [
                b"range=",
                b"start=",
                b"end=",
                b"bucket=",
                b"limit=",
                b"&",
                b"=",
                b"%",
                b"%zz",
                b"%ff",
                b"%00",
                b"2024-01-01",
                b"7d",
                b"day",
                b"+",
                b"\xff",
                b"%E2%88%9E",
            ]
        ),
        max_size=10,
    ).map(b"".join),
)


def check_answer(response, url: str) -> None:
    assert response.status_code in (200, 400), f"{url} answered {response.status_code}"
    if response.status_code == 400:
        body = response.get_json()
        assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"]


def test_stats_api_query_strings_never_500(client, conn, local_user):
    add_plays(
        conn,
        local_user,
        [
            ("Artist A", "Song 1", "2023-05-01 10:00:00", 200_000),
            ("Artist B", "Song 2", "2024-02-29 23:30:00", 90_000),
        ],
    )

    @FUZZ
    @given(endpoint=st.sampled_from(ENDPOINTS), query=queries)
    def check(endpoint: str, query: dict[str, str]) -> None:
        url = f"/api/stats/{endpoint}?{urlencode(query)}"
        check_answer(client.get(url), url)

    check()


def test_stats_api_raw_query_bytes_never_500(client, local_user):
    @FUZZ
    @given(endpoint=st.sampled_from(ENDPOINTS), raw=raw_queries)
    def check(endpoint: str, raw: bytes) -> None:
        # Undecodable bytes, broken %-escapes, stray & and =: straight into the WSGI environ.
        response = client.get(
            f"/api/stats/{endpoint}", environ_overrides={"QUERY_STRING": raw.decode("latin-1")}
        )
        check_answer(response, f"/api/stats/{endpoint}?{raw!r}")

    check()


def test_analytics_page_query_strings_never_500(client, local_user):
    @settings(FUZZ, max_examples=60)
    @given(query=queries)
    def check(query: dict[str, str]) -> None:
        response = client.get(f"/analytics?{urlencode(query)}")
        assert response.status_code in (200, 400), query

    check()


# -- the importers -------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
timestamps = st.one_of(
    st.sampled_from(
        [
            "2024-03-31T01:30:00Z",
            "2024-02-30T00:00:00Z",
            "2024-03-31 01:30",
            "9999-12-31T23:59:59Z",
            "0000-00-00T00:00:00Z",
            "2024-03-31T01:30:00",
            "1970-01-01 00:00",
            "",
        ]
    ),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}Z)?", fullmatch=True),
)
field_values = st.one_of(
    json_scalars,
    timestamps,
    st.integers(0, 10**7),
    st.sampled_from(["spotify:track:4uLU6hMCjMI75M1A2tKUQC", "trackdone", "Song", "Artist"]),
    st.lists(json_scalars, max_size=2),
)
EXTENDED_KEYS = [
    "ts",
    "ms_played",
    "master_metadata_track_name",
    "master_metadata_album_artist_name",
    "master_metadata_album_album_name",
    "spotify_track_uri",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "incognito_mode",
    "platform",
    "episode_name",
    "audiobook_title",
    "conn_country",
]
ACCOUNT_KEYS = ["endTime", "artistName", "trackName", "msPlayed"]


def rows(keys: list[str]):
    return st.lists(
        st.dictionaries(st.sampled_from(keys), field_values, max_size=len(keys)), max_size=6
    )


json_documents = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
contents = st.one_of(
    rows(EXTENDED_KEYS).map(lambda r: json.dumps(r).encode()),
    rows(ACCOUNT_KEYS).map(lambda r: json.dumps(r).encode()),
    json_documents.map(lambda d: json.dumps(d).encode()),
    st.tuples(rows(EXTENDED_KEYS), st.integers(0, 400)).map(
        lambda t: json.dumps(t[0]).encode()[: t[1]]
    ),  # truncated files
    st.binary(max_size=200),
    st.text(max_size=80).map(lambda t: t.encode("utf-8")),
)
NAMES = [
    "Streaming_History_Audio_x.json",
    "StreamingHistory_music_0.json",
    "Streaming_History_Video_2020.json",
]


def snapshot(conn) -> dict[str, int]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_importers_never_raise_and_leave_the_database_alone_on_refusal(
    conn, local_user, tmp_path: Path
):
    folder = tmp_path / "fuzz"
    folder.mkdir()
    seen = {"errors": 0, "imported": 0}

    @settings(FUZZ, max_examples=200)
    @given(name=st.sampled_from(NAMES), data=contents)
    def check(name: str, data: bytes) -> None:
        path = folder / name
        path.write_bytes(data)
        before = snapshot(conn)
        try:
            summary = run_import(conn, local_user, [path])
        finally:
            path.unlink()
        assert not conn.in_transaction
        reports = summary.files
        assert len(reports) + len(summary.skipped) == 1
        if summary.skipped:
            assert snapshot(conn) == before
            return
        report = reports[0]
        if report.error is not None:
            seen["errors"] += 1
            assert isinstance(report.error, str) and report.error
            assert snapshot(conn) == before, f"a refused file changed the database: {data!r}"
        else:
            seen["imported"] += 1
            assert report.rows_read >= report.rejected

    check()
    assert seen["errors"] > 20  # the fuzzing did reach the refusal paths
