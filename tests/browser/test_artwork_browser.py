"""Pictures in a real browser: loaded from the app's own origin only, lazily, in boxes of a
set size, also after analytics.js rebuilds the top lists."""

import pytest
from factories import demo_with_genres, give_album_picture, picture

pytestmark = pytest.mark.browser

LOADED = (
    "() => [...document.querySelectorAll('#track-rows img.art')]"
    ".every((i) => i.complete && i.naturalWidth === 64)"
)


@pytest.fixture
def pictured_server(app, conn, local_user, live_server):
    demo_with_genres(conn, local_user, plays=3000, seed=7)
    albums = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM albums WHERE user_id = ? ORDER BY id", (local_user,)
        )
    ]
    # Every album: which songs top a 30-day range depends on the demo's draw.
    for n, name in enumerate(albums):
        give_album_picture(
            conn,
            local_user,
            app.config["MTM_DATA_DIR"],
            name,
            picture(120, 120, colour=(n * 7 % 256, 120, 200)),
        )
    return live_server


def test_pictures_come_from_the_app_alone_before_and_after_a_range_change(
    page_factory, pictured_server
):
    page = page_factory(width=1280)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    for path in ("/", "/playlists"):
        assert page.goto(pictured_server.url + path).status == 200
    assert page.goto(pictured_server.url + "/analytics?range=all").status == 200
    assert page.locator("#track-rows img.art").first.get_attribute("loading") == "lazy"
    page.locator("#track-rows").scroll_into_view_if_needed()  # lazy: loaded when near
    page.wait_for_function(LOADED, timeout=10_000)
    assert page.locator("#track-rows img.art").count() >= 1

    page.evaluate("window.__samePage = true")  # the range changes in place (analytics.js)
    page.get_by_role("link", name="30 days", exact=True).scroll_into_view_if_needed()
    page.get_by_role("link", name="30 days", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('[data-range=\"30d\"]')"
        ".getAttribute('aria-current') === 'true'",
        timeout=10_000,
    )
    page.locator("#track-rows").scroll_into_view_if_needed()
    page.wait_for_function(LOADED, timeout=10_000)
    assert page.evaluate("window.__samePage === true")
    assert page.locator("#track-rows img.art").count() >= 1
    rows = page.locator("#track-rows tr")
    for i in range(rows.count()):  # each row: a picture or a placeholder, 40 x 40
        box = rows.nth(i).locator(".art").bounding_box()
        assert box and (round(box["width"]), round(box["height"])) == (40, 40)
    assert any("/images/" in url for url in asked)
    assert all(url.startswith(pictured_server.url) for url in asked), [
        u for u in asked if not u.startswith(pictured_server.url)
    ]
