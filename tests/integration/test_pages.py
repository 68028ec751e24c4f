"""The four pages, the empty state, error pages, CSRF and security headers."""

from datetime import UTC, datetime, timedelta

import pytest
from factories import add_plays
from web_client import csrf_headers

NAV = ["/", "/analytics", "/playlists", "/settings"]


def recent(days_ago: int, hour: int = 18) -> str:
    when = datetime.now(UTC) - timedelta(days=days_ago)
    return when.replace(hour=hour, minute=0, second=0).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("path", NAV)
def test_every_nav_page_renders_in_the_shared_layout(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<meta name="csrf-token" content="' in html
    for link in NAV:
        assert f'href="{link}"' in html
    assert 'aria-current="page"' in html


def test_home_without_data_shows_the_two_ways_to_get_data(client):
    html = client.get("/").get_data(as_text=True)
    assert "No listening history yet" in html
    assert "Connect Spotify" in html and "Import your Spotify data export" in html
    assert "<canvas" not in html


def test_home_with_data_shows_numbers_and_a_chart(client, conn, local_user):
    rows = [("Nova Lights", "Glow", recent(d), 180_000) for d in range(1, 11)]
    rows += [("Nova Lights", "Glow", recent(d), 180_000) for d in range(31, 34)]
    today = datetime.now(UTC).date()
    two_years = (today - today.replace(year=today.year - 2)).days  # not on 29 February
    rows += [("Old Band", "Then", recent(two_years), 200_000)]
    rows.append(("Skipper", "Short", recent(2), 5_000))
    add_plays(conn, local_user, rows)
    html = client.get("/").get_data(as_text=True)
    assert 'id="weekly-chart"' in html
    assert 'type="application/json" id="weekly-chart-data"' in html
    # 10 plays in the last 30 days (the short stream is not a play) vs 3 before: +233.3 %.
    assert '<p class="stat-value">10</p>' in html
    assert "+233.3%" in html
    assert "Nova Lights" in html  # most consistent artist
    assert "2 years ago" in html and "Then" in html  # on this day


def test_unknown_pages_get_the_custom_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert 'class="site-nav"' in response.get_data(as_text=True)


def test_unexpected_errors_get_the_friendly_500_without_a_trace(app):
    @app.get("/_boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/_boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_csrf_rejects_a_post_without_a_token(app):
    @app.post("/_write")
    def write():
        return "written"

    client = app.test_client()
    response = client.post("/_write")
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.post("/_write", headers=csrf_headers(client, "/")).data == b"written"


def test_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts_or_styles(client, conn, local_user):
    add_plays(conn, local_user, [("A", "x", recent(1), 100_000)])
    for path in NAV:
        html = client.get(path).get_data(as_text=True)
        for tag in html.split("<script")[1:]:
            head = tag.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, path
        assert " style=" not in html and " onclick=" not in html, path
