"""The fake MusicBrainz web service (``/ws/2``), answering in MusicBrainz's JSON shapes.

Lookups: ``url?resource=...`` (one, or up to 100 ``resource`` values answered as
``{"url-offset", "url-count", "urls"}``; unknown resources are left out, a single unknown one
is 404), ``artist/<mbid>?inc=genres+tags``. Searches: ``artist?query=`` and
``recording?query=`` (``score``, ``count``, ``offset``; ``limit`` 1-100, default 25; artist
results carry ``tags``, recordings their ``artist-credit``, ``releases`` with their
``release-group``, and ``tags``). Browse: ``genre/all`` (``limit``/``offset``). Every answer
is JSON, so ``fmt=json`` (or ``Accept: application/json``) is required, as a client of the
real service must ask for JSON. Errors are ``{"error": "...", "help": "..."}``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from ...normalise import name_key
from . import query as lucene
from .catalogue import Catalogue, MbArtist, MbRecording, mbid
from .context import WsError, state

bp = Blueprint("fake_ws2", __name__, url_prefix="/ws/2")

MBID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_URL_RESOURCES = 100
#: MusicBrainz's relationship type for a streaming page (Spotify is "free streaming").
FREE_STREAMING = ("free streaming", "769085a1-c2f7-4c24-a532-2375a77693bd")
TYPE_IDS = {
    "Person": "b6e035f4-3ce9-331c-97df-83397230b0df",
    "Group": "e431f5f6-b5d2-343d-8b36-72607fffb74b",
}
ALBUM_TYPE_ID = "f529b476-6e62-324f-b0aa-1f3e33d313fc"
OFFICIAL_ID = "4e304316-386d-3409-af2e-78857eec5cfe"
INC = {
    "url": {"artist-rels", "release-rels", "recording-rels", "label-rels"},
    "artist": {"genres", "tags", "aliases", "url-rels", "ratings", "annotation"},
}


def _incs(resource: str) -> set[str]:
    wanted = {part for part in re.split(r"[ +]", request.args.get("inc", "")) if part}
    for part in wanted:
        if part not in INC[resource]:
            raise WsError(400, f"{part} is not a valid inc parameter for the {resource} resource.")
    return wanted


def _int_arg(name: str, default: int, high: int | None = None) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or (high is not None and not 1 <= int(raw) <= high):
        raise WsError(400, f"Invalid {name} parameter: {raw!r}")
    return int(raw)


def _created() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _counts(pairs: list[tuple[str, int]]) -> list[dict]:
    return [{"name": name, "count": count} for name, count in pairs]


def artist_json(artist: MbArtist, *, brief: bool = False) -> dict:
    """An artist as other entities embed it (``brief``) or as a lookup answers."""
    out = {
        "id": artist.id,
        "name": artist.name,
        "sort-name": artist.sort_name,
        "disambiguation": artist.disambiguation,
    }
    if brief:
        return out
    out.update(
        {
            "type": artist.type,
            "type-id": TYPE_IDS[artist.type],
            "country": artist.country,
            "life-span": {"begin": artist.begin, "end": None, "ended": False},
            "isnis": [],
            "ipis": [],
            "gender": None,
            "gender-id": None,
        }
    )
    return out


def _genre_json(name: str, count: int | None = None) -> dict:
    out = {"id": mbid(0, "genre", name), "name": name, "disambiguation": ""}
    return out if count is None else {**out, "count": count}


# -- lookups ----------------------------------------------------------------------------------


def _url_json(cat: Catalogue, resource: str, incs: set[str]) -> dict | None:
    found = cat.urls.get(resource)
    if found is None:
        return None
    url_id, artist_ids = found
    out: dict = {"id": url_id, "resource": resource}
    if "artist-rels" in incs:
        out["relations"] = [
            {
                "type": FREE_STREAMING[0],
                "type-id": FREE_STREAMING[1],
                "target-type": "artist",
                "direction": "backward",
                "begin": None,
                "end": None,
                "ended": False,
                "attributes": [],
                "attribute-ids": {},
                "attribute-values": {},
                "source-credit": "",
                "target-credit": "",
                "artist": artist_json(cat.artists[a], brief=True)
                | {"type": cat.artists[a].type, "type-id": TYPE_IDS[cat.artists[a].type]},
            }
            for a in artist_ids
        ]
    return out


@bp.get("/url")
@bp.get("/url/")
def url_lookup():
    resources = request.args.getlist("resource")
    if not resources:
        raise WsError(400, "Missing resource parameter.")
    if len(resources) > MAX_URL_RESOURCES:
        raise WsError(400, f"At most {MAX_URL_RESOURCES} resource values per request.")
    incs = _incs("url")
    cat = state().catalogue
    if len(resources) == 1:
        found = _url_json(cat, resources[0], incs)
        if found is None:
            raise WsError(404, "Not Found")
        return jsonify(found)
    urls = [u for u in (_url_json(cat, r, incs) for r in dict.fromkeys(resources)) if u]
    return jsonify({"url-offset": 0, "url-count": len(urls), "urls": urls})


@bp.get("/artist/<artist_id>")
def artist_lookup(artist_id: str):
    if not MBID.match(artist_id):
        raise WsError(400, "Invalid mbid.")
    incs = _incs("artist")
    artist = state().catalogue.artists.get(artist_id)
    if artist is None:
        raise WsError(404, "Not Found")
    out = artist_json(artist)
    if "genres" in incs:
        out["genres"] = [_genre_json(name, count) for name, count in artist.genres]
    if "tags" in incs:
        out["tags"] = _counts(artist.tags)
    if "aliases" in incs:
        out["aliases"] = [_alias_json(a) for a in artist.aliases]
    return jsonify(out)


def _alias_json(name: str) -> dict:
    return {
        "name": name,
        "sort-name": name,
        "type": "Artist name",
        "primary": None,
        "locale": None,
        "begin": None,
        "end": None,
        "ended": False,
    }


# -- searches -----------------------------------------------------------------------------


def _search_args() -> tuple[lucene.Query, int, int]:
    raw = request.args.get("query", "")
    try:
        parsed = lucene.parse(raw)
    except lucene.QueryError as error:
        raise WsError(400, f"Invalid query: {error}") from None
    return parsed, _int_arg("limit", 25, 100), _int_arg("offset", 0)


def _page(key: str, scored: list[tuple[int, str, dict]], limit: int, offset: int):
    scored.sort(key=lambda item: (-item[0], item[1]))
    items = [{**body, "score": score} for score, _, body in scored[offset : offset + limit]]
    return jsonify({"created": _created(), "count": len(scored), "offset": offset, key: items})


def _combine(scores: list[int], all_required: bool) -> int:
    if not scores:
        return 0
    if all_required and min(scores) == 0:
        return 0
    return round(sum(scores) / len(scores))


@bp.get("/artist")
@bp.get("/artist/")
def artist_search():
    parsed, limit, offset = _search_args()
    names = parsed.texts("", "artist", "artistaccent", "alias", "name", "sortname")
    if not names:
        raise WsError(400, 'Invalid query: search artists by name (artist:"...").')
    scored = []
    for artist in state().catalogue.artists.values():
        spellings = [artist.name, *artist.aliases]
        best = _combine(
            [max(lucene.score(text, s) for s in spellings) for text in names], parsed.all_required
        )
        if best:
            body = artist_json(artist)
            body = {k: v for k, v in body.items() if v or k == "name"}
            body["life-span"] = {"ended": None}
            if artist.tags:
                body["tags"] = _counts(artist.tags)
            if artist.aliases:
                body["aliases"] = [_alias_json(a) for a in artist.aliases]
            scored.append((best, f"{artist.name}\x1f{artist.id}", body))
    return _page("artists", scored, limit, offset)


def credit_json(cat: Catalogue, recording: MbRecording) -> list[dict]:
    credit = []
    for artist_id, joinphrase in recording.credits:
        artist = cat.artists[artist_id]
        entry = {"name": artist.name, "artist": artist_json(artist, brief=True)}
        if joinphrase:
            entry["joinphrase"] = joinphrase
        credit.append(entry)
    return credit


def recording_json(cat: Catalogue, recording: MbRecording) -> dict:
    group = cat.release_groups[recording.release_group_id]
    credit = credit_json(cat, recording)
    out = {
        "id": recording.id,
        "title": recording.title,
        "length": recording.length_ms,
        "video": None,
        "artist-credit": credit,
        "first-release-date": group.date,
        "releases": [
            {
                "id": group.release_id,
                "status-id": OFFICIAL_ID,
                "count": 1,
                "title": group.title,
                "status": "Official",
                "artist-credit": [
                    {"name": cat.artists[a].name, "artist": artist_json(cat.artists[a], brief=True)}
                    for a in group.artist_ids
                ],
                "release-group": {
                    "id": group.id,
                    "type-id": ALBUM_TYPE_ID,
                    "primary-type-id": ALBUM_TYPE_ID,
                    "title": group.title,
                    "primary-type": "Album",
                },
                "date": group.date,
                "track-count": group.track_count,
            }
        ],
    }
    if recording.tags:
        out["tags"] = _counts(recording.tags)
    return out


def _credit_names(cat: Catalogue, recording: MbRecording) -> list[str]:
    artists = [cat.artists[a] for a, _ in recording.credits]
    whole = "".join(a.name + join for a, (_, join) in zip(artists, recording.credits, strict=True))
    return [whole, *(s for a in artists for s in (a.name, *a.aliases))]


@bp.get("/recording")
@bp.get("/recording/")
def recording_search():
    parsed, limit, offset = _search_args()
    titles = parsed.texts("", "recording", "recordingaccent")
    artists = parsed.texts("artist", "artistname", "creditname")
    if not titles:
        raise WsError(400, 'Invalid query: search recordings by title (recording:"...").')
    cat = state().catalogue
    candidates = {
        rid
        for text in titles
        for word in name_key(text).split()
        for rid in cat.title_index.get(word, ())
    }
    scored = []
    for rid in candidates:
        recording = cat.recordings[rid]
        scores = [lucene.score(text, recording.title) for text in titles]
        names = _credit_names(cat, recording) if artists else []
        scores += [max(lucene.score(text, s) for s in names) for text in artists]
        best = _combine(scores, parsed.all_required)
        if best:
            scored.append(
                (best, f"{recording.title}\x1f{recording.id}", recording_json(cat, recording))
            )
    return _page("recordings", scored, limit, offset)


# -- genres -------------------------------------------------------------------------------


@bp.get("/genre/all")
def genre_all():
    limit, offset = _int_arg("limit", 25, 100), _int_arg("offset", 0)
    names = state().catalogue.genre_names
    return jsonify(
        {
            "genre-count": len(names),
            "genre-offset": offset,
            "genres": [_genre_json(n) for n in names[offset : offset + limit]],
        }
    )
