"""A helper defined once (issue #14): only ``tests/web_client.py`` reads the CSRF token out
of a page. Twelve modules once had their own reader; a new test that needs the token calls
``web_client.csrf`` (or ``page_csrf`` on a page it already holds) instead of a thirteenth."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
READER = TESTS / "web_client.py"
#: What every reader of the token looks for: the layout's ``<meta>`` attribute pair.
MARK = 'csrf-token" content="'


def _token_reads(path: Path) -> list[int]:
    """Line numbers where a string holding ``MARK`` is passed to a call (``split``,
    ``re.search``, ``re.compile``...): the page is being parsed for its token. A test that
    only asserts the tag is there (``MARK in html``) compares, and is not a reader."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(
        arg.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for arg in node.args
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and MARK in arg.value
    )


def test_only_web_client_reads_the_csrf_token():
    this = Path(__file__).resolve()  # its sample readers below are text, not readers
    modules = [p for p in sorted(TESTS.rglob("*.py")) if "vendor" not in p.parts and p != this]
    found = {str(p.relative_to(TESTS)): lines for p in modules if (lines := _token_reads(p))}
    assert set(found) == {"web_client.py"}, f"read the token with web_client.csrf: {found}"
    # Not vacuous: the walk saw the test suite, and the check does find the one reader.
    assert len(modules) >= 100
    assert len(found["web_client.py"]) == 1


def test_the_check_finds_a_reader_however_it_is_written(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "import re\n"
        "def a(html):\n"
        "    return html.split('name=\"csrf-token\" content=\"')[1].split('\"')[0]\n"
        "def b(page):\n"
        '    return re.search(r\'name="csrf-token" content="([^"]+)"\', page).group(1)\n'
        "def c(html):\n"
        '    assert \'<meta name="csrf-token" content="\' in html\n',
        encoding="utf-8",
    )
    assert _token_reads(module) == [3, 5]
