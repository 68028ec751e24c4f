"""The shared template parts (templates/_macros.html, base.html): every page still loads
its own modules, and the chart, table and card macros give the markup the pages, their
scripts and axe-core rely on (a heading that names its section, a focusable named scroll
box, a caption, column headers, the ids the scripts fill)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from factories import add_plays

import music_time_machine

MODULE = re.compile(r'<script type="module" src="/static/[0-9a-f]+/js/([\w-]+)\.js"></script>')
GLOBAL_MODULES = ["nav", "search"]  # base.html's head, on every signed-in page


class Tags(HTMLParser):
    """The start tags of a fragment with their attributes, and the text, in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data) -> None:
        if data.strip():
            self.text.append(data.strip())

    def first(self, tag: str, **attrs: str) -> dict[str, str | None]:
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return next(
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in wanted.items())
        )

    def names(self) -> list[str]:
        return [t for t, _ in self.tags]


@pytest.fixture
def pages(client, conn, local_user) -> dict[str, str]:
    """A small history with a genre, and the URL of each kind of page over it."""
    rows = [
        ("Nova Lights", "Glow", f"2025-03-{day:02d} 18:00:00", 180_000, {"genres": ["synthpop"]})
        for day in range(1, 8)
    ]
    add_plays(conn, local_user, rows)
    analytics = client.get("/analytics?range=all").get_data(as_text=True)

    def first_link(kind: str) -> str:
        return re.search(rf'href="(/{kind}/\d+)"', analytics).group(1)

    return {
        "/": "dashboard",
        "/analytics": "analytics",
        "/settings": "settings",
        "/playlists": "playlists",
        "/years/2025": "year",
        "/genres/synthpop": "genre",
        first_link("artists"): "explore",
        first_link("tracks"): "explore",
        first_link("albums"): "explore",
    }


def test_every_page_loads_the_modules_it_names_once_after_its_content(client, pages):
    expected = {
        "dashboard": ["dashboard"],
        "analytics": ["analytics"],
        "settings": ["settings", "import", "enrich", "settings-nav"],
        "playlists": ["playlists", "playlist-form"],
        "year": ["year"],
        "genre": ["genre"],
        "explore": ["explore"],
    }
    for url, page in pages.items():
        html = client.get(url).get_data(as_text=True)
        assert MODULE.findall(html) == GLOBAL_MODULES + expected[page], url
        body_modules = html.split("</footer>", 1)[1]
        assert MODULE.findall(body_modules) == expected[page], url


def test_only_base_html_writes_module_script_tags():
    """A page that wrote its own tag in a ``scripts`` block would load nothing: base.html has
    no such block any more, and Jinja ignores a block its parent lacks."""
    templates = Path(music_time_machine.__file__).parent / "templates"
    writers = sorted(
        str(p.relative_to(templates))
        for p in templates.rglob("*.html")
        if '<script type="module"' in p.read_text() or "{% block scripts" in p.read_text()
    )
    assert writers == ["base.html"]


def test_a_page_without_modules_loads_only_the_global_ones(client):
    html = client.get("/no/such/page").get_data(as_text=True)
    assert MODULE.findall(html) == GLOBAL_MODULES


def render(app, source: str, **context) -> str:
    with app.test_request_context("/"):
        return app.jinja_env.from_string(source).render(**context)


def test_numbers_table_folds_a_named_scroll_box_with_caption_and_column_headers(app):
    html = render(
        app,
        '{% from "_macros.html" import numbers_table %}'
        '{% call numbers_table("Plays per hour", "Plays by local hour", ["Hour", "Plays"],'
        ' "hour-rows") %}<tr><td>00:00</td><td>3</td></tr>{% endcall %}',
    )
    tags = Tags(html)
    assert tags.names() == [
        "details", "summary", "div", "table", "caption", "thead", "tr", "th", "th",
        "tbody", "tr", "td", "td",
    ]  # fmt: skip
    assert tags.first("details") == {"class": "data-table"}
    assert tags.first("div") == {
        "class": "table-scroll",
        "tabindex": "0",
        "role": "region",
        "aria-label": "Plays per hour",
    }
    assert tags.first("caption") == {}  # shown: the numbers are folded away already
    assert [a for t, a in tags.tags if t == "th"] == [{"scope": "col"}] * 2
    assert tags.first("tbody") == {"id": "hour-rows"}
    assert tags.text == ["Show the numbers", "Plays by local hour", "Hour", "Plays", "00:00", "3"]


def test_data_table_hides_its_caption_and_carries_its_classes_when_asked(app):
    html = render(
        app,
        '{% from "_macros.html" import data_table %}'
        '{% call data_table("Top tracks", "Top tracks by plays", ["#", "Track"],'
        ' "table-scroll-full", "top-tracks", hide_caption=True) %}{% endcall %}',
    )
    tags = Tags(html)
    assert tags.first("div")["class"] == "table-scroll table-scroll-full"
    assert tags.first("table") == {"class": "top-tracks"}
    assert tags.first("caption") == {"class": "visually-hidden"}
    assert tags.first("tbody") == {}


def test_chart_panel_names_its_section_by_its_heading_and_its_canvas(app):
    html = render(
        app,
        '{% from "_macros.html" import chart_panel %}'
        '{% call chart_panel("Hours", "hours-chart", "Bar chart of plays by hour",'
        ' note="Local time.", box_class="chart-box-tall") %}<p id="after">t</p>{% endcall %}',
    )
    tags = Tags(html)
    assert tags.first("section") == {
        "class": "card chart-card",
        "aria-labelledby": "hours-chart-title",
    }
    assert tags.first("h2") == {"id": "hours-chart-title"}
    assert tags.first("p", class_="muted chart-note") is not None
    assert tags.first("div") == {"class": "chart-box chart-box-tall"}
    assert tags.first("canvas") == {
        "id": "hours-chart",
        "role": "img",
        "aria-label": "Bar chart of plays by hour",
    }
    assert tags.names()[-1] == "p" and tags.text == ["Hours", "Local time.", "t"]


def test_chart_panel_options_head_hidden_box_title_id_and_empty(app):
    source = (
        '{% from "_macros.html" import chart_panel %}'
        '{% call chart_panel("Genres", "genre-chart", "Doughnut", head=head, box_mark="data-box",'
        ' box_hidden=hide, empty=empty, title_id="genres-title") %}<p>table</p>{% endcall %}'
    )
    tags = Tags(render(app, source, head="", hide=True, empty=None))
    assert tags.first("section")["aria-labelledby"] == "genres-title"
    assert tags.first("h2") == {"id": "genres-title"}
    assert tags.first("div") == {"class": "chart-box", "data-box": None, "hidden": None}

    from markupsafe import Markup

    toggle = Markup('<button type="button">Plays</button>')
    tags = Tags(render(app, source, head=toggle, hide=False, empty=None))
    assert tags.names()[:4] == ["section", "div", "h2", "button"]
    assert tags.tags[1][1] == {"class": "chart-head"}
    assert "hidden" not in tags.first("div", class_="chart-box")

    tags = Tags(render(app, source, head="", hide=False, empty="No plays yet."))
    assert "canvas" not in tags.names() and "table" not in tags.text
    assert tags.text == ["Genres", "No plays yet."]


def test_card_section_names_itself_by_its_heading(app):
    html = render(
        app,
        '{% from "_macros.html" import card_section %}'
        '{% call card_section("Top albums", "albums", "review-list") %}<p>x</p>{% endcall %}',
    )
    tags = Tags(html)
    assert tags.tags[:2] == [
        ("section", {"class": "card review-list", "aria-labelledby": "albums-title"}),
        ("h2", {"id": "albums-title"}),
    ]
    assert tags.text == ["Top albums", "x"]
