"""The fake Cover Art Archive: ``/release-group/<mbid>`` listings and the images themselves.

``GET /release-group/<mbid>`` answers the Archive's JSON (``images`` with ``front``,
``types``, ``image`` and ``thumbnails`` 250/500/1200 plus the legacy ``small``/``large``, and
the ``release`` it came from), 404 when the group has no art. ``/release-group/<mbid>/front``
(and ``front-250`` / ``-500`` / ``-1200``) redirects (307) to the image, as the Archive does.
Images are PNGs under ``/release/<release mbid>/<image id>[-<size>].png``.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, redirect, request

from .catalogue import MbReleaseGroup
from .context import WsError, state
from .images import ORIGINAL_SIZE, THUMBNAIL_SIZES, cover_png

bp = Blueprint("fake_coverart", __name__)

_IMAGE = re.compile(r"^(\d+)(?:-(250|500|1200))?\.png$")


def _group(group_id: str) -> MbReleaseGroup:
    group = state().catalogue.release_groups.get(group_id)
    if group is None or group.cover_image_id is None:
        raise WsError(404, "No cover art found for release group")
    return group


def _image_url(group: MbReleaseGroup, size: int | None = None) -> str:
    suffix = f"-{size}" if size else ""
    return (
        f"{request.host_url.rstrip('/')}/release/{group.release_id}/"
        f"{group.cover_image_id}{suffix}.png"
    )


@bp.get("/release-group/<group_id>")
@bp.get("/release-group/<group_id>/")
def release_group(group_id: str):
    group = _group(group_id)
    thumbs = {str(size): _image_url(group, size) for size in THUMBNAIL_SIZES}
    thumbs.update(small=thumbs["250"], large=thumbs["500"])
    return jsonify(
        {
            "images": [
                {
                    "approved": True,
                    "back": False,
                    "comment": "",
                    "edit": 1,
                    "front": True,
                    "id": group.cover_image_id,
                    "image": _image_url(group),
                    "thumbnails": thumbs,
                    "types": ["Front"],
                }
            ],
            "release": f"https://musicbrainz.org/release/{group.release_id}",
        }
    )


@bp.get("/release-group/<group_id>/<piece>")
def release_group_front(group_id: str, piece: str):
    sizes = {"front": None, **{f"front-{s}": s for s in THUMBNAIL_SIZES}}
    if piece not in sizes:
        raise WsError(400, f"unknown image {piece!r}: use front or front-250/500/1200")
    return redirect(_image_url(_group(group_id), sizes[piece]), code=307)


@bp.get("/release/<release_id>/<name>")
def image(release_id: str, name: str):
    cat = state().catalogue
    found = _IMAGE.match(name)
    group = cat.release_groups.get(cat.releases.get(release_id, ""))
    if found is None or group is None or group.cover_image_id != int(found.group(1)):
        raise WsError(404, "No such image")
    size = int(found.group(2)) if found.group(2) else ORIGINAL_SIZE
    response = Response(cover_png(group.cover_image_id, size), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=31536000"
    return response
