"""SQL lives in db/ (issue #14): no module outside ``music_time_machine/db`` runs a statement
on a connection itself; it calls a function of db/ named for the question it answers."""

from __future__ import annotations

import ast
from pathlib import Path

import music_time_machine

PACKAGE = Path(music_time_machine.__file__).parent
DB = PACKAGE / "db"
#: The connection methods that run SQL.
RUNS_SQL = frozenset({"execute", "executemany", "executescript"})


def _sql_calls(path: Path) -> list[int]:
    """Line numbers of ``<anything>.execute(...)`` (and friends) in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in RUNS_SQL
    ]


def test_no_module_outside_db_runs_sql():
    modules = sorted(PACKAGE.rglob("*.py"))
    outside = [p for p in modules if DB not in p.parents]
    found = {str(p.relative_to(PACKAGE)): lines for p in outside if (lines := _sql_calls(p))}
    assert found == {}, f"SQL outside db/ (move it behind a named function in db/): {found}"
    # Not vacuous: the walk saw the package, and the same check does find db/'s SQL.
    assert len(outside) >= 40
    assert sum(len(_sql_calls(p)) for p in modules if DB in p.parents) >= 100


def test_the_check_finds_a_statement_however_it_is_written(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "def f(conn, rows):\n"
        "    conn.execute('SELECT 1')\n"
        "    get().cursor().executemany('INSERT', rows)\n"
        "    self.conn.executescript('VACUUM')\n"
        "    run('execute')\n",
        encoding="utf-8",
    )
    assert _sql_calls(module) == [2, 3, 4]
