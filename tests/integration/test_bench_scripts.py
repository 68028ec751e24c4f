"""The import benchmarks still run, at a tiny size, and print their tables: the README's
figures come from them, so they must not rot between measurements."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from music_time_machine.db import connect
from music_time_machine.db.migrate import migrate
from music_time_machine.db.users import ensure_local_user
from music_time_machine.demo import generate_demo

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, check=True, capture_output=True, text=True, timeout=300
    )
    return done.stdout.splitlines()


def test_bench_import_prints_floor_and_import_per_size_and_file_count() -> None:
    lines = _run("bench/bench_import.py", "1500", "--files", "1", "3")
    assert lines[0].split()[:8] == [
        "rows",
        "files",
        "MB",
        "tracks",
        "artists",
        "floor",
        "s",
        "import",
    ]
    one, three = (
        dict(
            zip(
                ["rows", "files", "mb", "tracks", "artists", "floor", "import", "ratio"],
                line.split(),
                strict=False,
            )
        )
        for line in lines[1:3]
    )
    assert (one["rows"], one["files"], three["rows"], three["files"]) == (
        "1,500",
        "1",
        "1,500",
        "3",
    )
    # the same rows either way, drawn from a catalogue of many songs and artists
    assert one["tracks"] == three["tracks"] and int(one["tracks"].replace(",", "")) > 500
    assert int(one["artists"].replace(",", "")) > 200
    for line in (one, three):
        assert float(line["floor"]) > 0 and float(line["import"]) > 0
        assert float(line["ratio"]) > 0


def test_bench_floor_writes_every_stored_row_each_way() -> None:
    # The script itself exits non-zero when the ways wrote different numbers of rows.
    lines = _run("bench/bench_floor.py", "--rows", "1500")
    table = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert lines[1].split() == ["table", "rows", "entries", "sql", "s", "python", "s", "bare", "s"]
    plays = int(table["plays"][0].replace(",", ""))
    assert 1400 < plays <= 1500  # less rows without metadata and incognito ones
    assert int(table["plays"][1].replace(",", "")) == 2 * plays  # the table and its UNIQUE
    assert {"rollup_day_track", "rollup_day_artist", "rollup_track_gap"} <= table.keys()


def small_demo_database(tmp_path: Path, timezone: str, seed: int, years: float = 1.0) -> Path:
    """A migrated database with 1,500 demo plays over ``years``, for a script's ``--db``."""
    path = tmp_path / "small.sqlite"
    conn = connect(path)
    migrate(conn)
    generate_demo(conn, ensure_local_user(conn, timezone), plays=1500, seed=seed, years=years)
    conn.close()
    return path


def test_bench_years_measures_an_existing_database(tmp_path) -> None:
    path = small_demo_database(tmp_path, "Europe/Berlin", seed=5, years=1.5)
    # The demo's genres come from enrichment; give the artists Spotify genres instead.
    conn = connect(path)
    with conn:
        conn.execute("""UPDATE artists SET genres = '["sandbox rock"]'""")
    conn.close()
    lines = _run("bench/bench_years.py", "--db", str(path), "-n", "30")
    assert "worst year" in lines[0]
    pages = [line.split("|")[1].strip() for line in lines[3:8]]
    assert pages == ["years index", "year page", "year JSON", "genre page", "genre JSON"]


def test_bench_explore_measures_every_page_of_an_existing_database(tmp_path) -> None:
    path = small_demo_database(tmp_path, "Europe/Berlin", seed=3)
    lines = _run("bench/bench_explore.py", "--db", str(path), "-n", "2")
    rows = [line.split(" | ") for line in lines if line.startswith("| /")]
    urls = {row[0].removeprefix("| ").split("/")[1] for row in rows}
    assert len(rows) == 12 and urls == {"artists", "tracks", "albums", "api"}
    assert lines[-1].startswith("worst p95:")


def test_bench_pages_times_every_page_and_endpoint_and_weighs_analytics():
    """The page benchmark runs at a tiny size: a row per page and stats endpoint for every
    kind of range, and the Analytics first visit within the issue's 120 KB, Chart.js
    included (a byte count, not a time)."""
    lines = _run("bench/bench_pages.py", "--plays", "1500", "-n", "2")
    rows = [line.split("|") for line in lines if line.startswith("| 1,500 |")]
    labels = {row[2].strip() for row in rows}
    assert {
        "home",
        "playlists",
        "settings",
        "analytics",
        "api summary",
        "api volume",
        "api top-artists",
        "api top-tracks",
        "api top-genres",
        "api heatmap",
        "api discoveries",
    } == labels
    assert sum(row[2].strip() == "analytics" for row in rows) == 6  # presets, year, custom
    naive = next(line for line in lines if line.startswith("naive reference, the same run"))
    assert re.search(r"p50 [\d.]+ ms, p95 [\d.]+ ms$", naive)
    weight = next(line for line in lines if line.startswith("Analytics first visit"))
    sent_kb = float(re.search(r": ([\d.]+) KB sent", weight).group(1))
    assert 20 < sent_kb <= 120
    assert any(line.endswith("/vendor/chartjs/chart.umd.min.js") for line in lines)


def test_bench_clear_compares_the_app_with_the_row_by_row_reference(tmp_path) -> None:
    """The clear benchmark runs on a small database: the reference and both of the app's
    ways print a time, and the script itself refuses to print if they left different rows."""
    path = small_demo_database(tmp_path, "UTC", seed=5)
    lines = _run("bench/bench_clear.py", "--db", str(path), "-n", "1")
    assert lines[0].startswith("small.sqlite: clearing ")
    assert [line.split("  median")[0].strip() for line in lines[1:]] == [
        "reference: row by row, keys enforced",
        "app, the only user",
        "app, another user present",
    ]
