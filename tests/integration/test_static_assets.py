"""How pages and files travel: compressed when the browser accepts it, static files under
a fingerprinted URL cached for a year, pages with private data never stored."""

from __future__ import annotations

import gzip
import re
from urllib.parse import urljoin

import brotli
import pytest

from music_time_machine import create_app
from music_time_machine.web.static_assets import static_version

STATIC = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def static_urls(client, page: str = "/analytics") -> list[str]:
    return STATIC.findall(client.get(page).get_data(as_text=True))


def test_every_static_url_carries_the_folder_version_and_is_cached_for_a_year(app, client):
    version = app.config["STATIC_VERSION"]
    found = static_urls(client)
    assert {"css/app.css", "js/nav.js", "js/analytics.js"} <= {
        u.split(f"/static/{version}/", 1)[1] for u in found
    }
    for url in found:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_another_version_or_no_version_is_not_found(app, client):
    assert client.get("/static/0123456789ab/css/app.css").status_code == 404
    assert client.get("/static/css/app.css").status_code == 404
    version = app.config["STATIC_VERSION"]
    assert client.get(f"/static/{version}/css/no-such-file.css").status_code == 404
    assert client.get(f"/static/{version}/../__init__.py").status_code == 404


def test_a_module_imports_and_fetches_files_of_its_own_version(client):
    """Relative imports (./charts.js) and import.meta.url (Chart.js) resolve against the
    importing module's URL, so a page never mixes an old module with a new one."""
    page_module = next(u for u in static_urls(client) if u.endswith("/js/analytics.js"))
    version_prefix = page_module.rsplit("/js/", 1)[0]
    source = client.get(page_module).get_data(as_text=True)
    imported = re.findall(r"from\s+'(\.[^']+)'", source)
    assert {"./charts.js", "./chart-fallback.js", "./csrf-fetch.js"} <= set(imported)
    for module in imported:
        url = urljoin(page_module, module)
        assert url.startswith(version_prefix + "/") and client.get(url).status_code == 200
    charts_url = urljoin(page_module, "./charts.js")
    assert charts_url.startswith(version_prefix + "/")
    charts = client.get(charts_url)
    assert charts.status_code == 200
    chart_js = re.search(
        r"new URL\('([^']+)', import\.meta\.url\)", charts.get_data(as_text=True)
    ).group(1)
    assert client.get(urljoin(charts_url, chart_js)).status_code == 200


def test_the_version_follows_the_files_contents(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    before = static_version(tmp_path)
    assert static_version(tmp_path) == before
    (tmp_path / "js" / "a.js").write_text("export const a = 2;\n")
    changed = static_version(tmp_path)
    (tmp_path / "js" / "b.js").write_text("")
    assert len({before, changed, static_version(tmp_path)}) == 3


def test_in_debug_static_files_are_revalidated_not_kept(app_config):
    app = create_app({**app_config, "DEBUG": True})
    client = app.test_client()
    url = static_urls(client)[0]
    assert client.get(url).headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "path", ["/", "/analytics?range=all", "/settings", "/api/stats/summary?range=all"]
)
def test_pages_and_json_are_never_stored(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_pages_are_compressed_when_the_browser_accepts_it(client, encoding, decode):
    plain = client.get("/analytics?range=all")
    assert "Content-Encoding" not in plain.headers
    sent = client.get("/analytics?range=all", headers={"Accept-Encoding": encoding})
    assert sent.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in sent.headers["Vary"]
    body = decode(sent.get_data())
    # The same page (the CSRF token in it differs per request, so compare around it).
    assert len(sent.get_data()) * 3 < len(body)
    assert body.split(b"csrf-token")[0] == plain.get_data().split(b"csrf-token")[0]


def test_json_and_static_files_are_compressed(client):
    api = client.get("/api/stats/volume?range=12m", headers={"Accept-Encoding": "br"})
    assert api.headers["Content-Encoding"] == "br"
    assert brotli.decompress(api.get_data()).startswith(b"{")
    for url in static_urls(client):
        if url.endswith((".css", ".js")):
            plain = client.get(url).get_data()
            sent = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
            assert sent.headers["Content-Encoding"] == "br", url
            assert brotli.decompress(sent.get_data()) == plain
            assert sent.headers["Cache-Control"].endswith("immutable")
