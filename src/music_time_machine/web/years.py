"""Year in review (``/years``, ``/years/<year>``) and genre pages (``/genres/<name>``), with
their JSON under ``/api/``. Numbers come from ``db.years`` and ``db.genres``; the pages embed
the same JSON for their charts and the share card, and work without JavaScript.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, jsonify, render_template
from flask.typing import ResponseReturnValue

from ..db import get_db
from ..db.genres import GENRE_NAME_MAX, GenreCoverage, coverage, genre_story
from ..db.years import year_review, year_totals
from .current_user import api_login_required, local_today, login_required, user_timezone
from .errors import found

bp = Blueprint("years", __name__)

#: What a year's page says when the user has no play at all.
NO_PLAYS_YET = "There are no plays yet: import your history or connect Spotify in Settings."
#: The one-click playlist of a year's review.
YEAR_PLAYLIST_SIZE = 50


def _review(year: int) -> tuple[dict | None, list[dict]]:
    """The year's review (None when it has no play) and every year with data."""
    conn, user_id = get_db(), g.user["id"]
    years = year_totals(conn, user_id)
    if year not in {y["year"] for y in years}:
        return None, years
    review = year_review(conn, user_id, year, local_today())
    review["timezone"] = user_timezone()
    return review, years


def _story(name: str) -> tuple[dict | None, GenreCoverage | None]:
    """The genre's story, or None and how far genres reach among the user's artists: what
    the page and its JSON both say when none of them has this genre."""
    conn, user_id = get_db(), g.user["id"]
    story = genre_story(conn, user_id, name) if name and len(name) <= GENRE_NAME_MAX else None
    if story is None:
        return None, coverage(conn, user_id)
    return story, None


@bp.app_template_filter()
def long_date(iso: str | None) -> str:
    """'2024-09-14' as 'Sat 14 Sep 2024' (the pages' one way to write a day)."""
    if not iso:
        return "—"
    day = date.fromisoformat(iso)
    return f"{day:%a} {day.day} {day:%b %Y}"


# -- pages --------------------------------------------------------------------------------


@bp.get("/years")
@login_required
def index() -> ResponseReturnValue:
    return render_template("years/index.html", years=year_totals(get_db(), g.user["id"]))


@bp.get("/years/<int:year>")
@login_required
def year(year: int) -> ResponseReturnValue:
    maybe_review, years = _review(year)
    review = found(maybe_review, f"There are no plays in {year}." if years else NO_PLAYS_YET)
    known = [y["year"] for y in years]
    place = known.index(year)
    return render_template(
        "years/year.html",
        r=review,
        playlist_size=YEAR_PLAYLIST_SIZE,
        previous_year=known[place - 1] if place else None,
        next_year=known[place + 1] if place + 1 < len(known) else None,
    )


@bp.get("/genres/<path:name>")
@login_required
def genre(name: str) -> ResponseReturnValue:
    story, known = _story(name)
    if story is None:
        return render_template(
            "years/genre_unknown.html", name=name[:GENRE_NAME_MAX], coverage=known
        ), 404
    return render_template("years/genre.html", s=story)


# -- JSON ---------------------------------------------------------------------------------


@bp.get("/api/years")
@api_login_required
def api_index() -> ResponseReturnValue:
    return jsonify(years=year_totals(get_db(), g.user["id"]))


@bp.get("/api/years/<int:year>")
@api_login_required
def api_year(year: int) -> ResponseReturnValue:
    review, _years = _review(year)
    return jsonify(found(review, f"year: there are no plays in {year}"))


@bp.get("/api/genres/<path:name>")
@api_login_required
def api_genre(name: str) -> ResponseReturnValue:
    story, known = _story(name)
    if story is None:
        return jsonify(
            error="genre: none of your played artists has this genre",
            artists=known.artists,
            artists_with_genres=known.with_genres,
        ), 404
    return jsonify(story)
