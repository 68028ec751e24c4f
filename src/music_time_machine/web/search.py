"""Search: the header's box sends ``/search?q=`` (a page that works without JavaScript);
search.js asks ``/api/search?q=`` for suggestions while typing. Both answer from the
search index (db/search.py); the query is checked by search_terms.py."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from ..daterange import RangeError
from ..db import get_db
from ..db.search import Found, search_catalogue
from ..durations import minutes
from ..search_terms import parse_query
from .current_user import api_login_required, login_required
from .links import item_url

bp = Blueprint("search", __name__)

#: Results of each kind on the page, and suggestions of each kind while typing.
PAGE_RESULTS = 20
SUGGESTIONS = 4
HEADINGS = {"artist": "Artists", "album": "Albums", "track": "Tracks"}


def _as_json(found: Found) -> dict:
    return {
        "kind": found.kind,
        "id": found.id,
        "name": found.name,
        "artists": found.artists,
        "plays": found.plays,
        "minutes": minutes(found.ms_played),
        "url": item_url(found.kind, found.id),
    }


@bp.get("/search")
@login_required
def index() -> ResponseReturnValue:
    text = request.args.get("q", "")
    try:
        terms = parse_query(text)
    except RangeError as exc:
        return render_template(
            "search/index.html",
            q=text[:200],
            error=str(exc),
            results={},
            headings=HEADINGS,
            terms=[],
        ), 400
    results = search_catalogue(get_db(), g.user["id"], terms, PAGE_RESULTS) if terms else {}
    return render_template(
        "search/index.html", q=text, error=None, results=results, headings=HEADINGS, terms=terms
    )


@bp.get("/api/search")
@api_login_required
def api() -> ResponseReturnValue:
    try:
        terms = parse_query(request.args.get("q", ""))
        per_kind = _per_kind(request.args.get("limit"))
    except RangeError as exc:
        return jsonify(error=str(exc)), 400
    found = search_catalogue(get_db(), g.user["id"], terms, per_kind)
    return jsonify(
        {
            "q": request.args.get("q", ""),
            "terms": terms,
            "results": {kind: [_as_json(f) for f in items] for kind, items in found.items()},
        }
    )


def _per_kind(value: str | None) -> int:
    """``limit``: results of each kind, 1..PAGE_RESULTS, SUGGESTIONS when absent."""
    if not value:
        return SUGGESTIONS
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= PAGE_RESULTS:
        raise RangeError("limit", f"must be a whole number from 1 to {PAGE_RESULTS}")
    return int(value)
