"""``/images/<key>-<size>.webp``: the pictures of the user's albums and artists, from the
app's own origin (the browser never asks a third party; CSP ``img-src 'self' data:``).

The files are content-addressed (``metadata.image_store``) and so never change: browsers may
keep them for a year (``immutable``). They are still served only to a signed-in user whose
own albums or artists show that key (``db.artwork.user_has_image``), and cached as
``private``: a key is a hash of a public cover, so anyone able to fetch any key could probe
whether somebody on this server listens to an album, and the catalogue is per user
precisely so that nobody can learn that. The check is one indexed lookup per picture, and
a browser makes it once a year.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, send_file, url_for
from flask.typing import ResponseReturnValue

from ..db import get_db
from ..db.artwork import user_has_image
from ..metadata.image_store import KEY_PATTERN, ImageStore
from ..metadata.imaging import SIZES
from .current_user import login_required

bp = Blueprint("images", __name__)

CACHE_CONTROL = "private, max-age=31536000, immutable"
#: Rendition for list rows (shown at 40 px) and for cards (shown at 120 px).
SMALL, LARGE = SIZES


def image_store() -> ImageStore:
    return ImageStore.in_data_dir(current_app.config["MTM_DATA_DIR"])


def image_path(key: str | None, size: int = SMALL) -> str | None:
    """The same-origin path of a stored picture (None for None: the page shows a
    placeholder). Every page and API payload builds picture addresses here."""
    return url_for("images.show", key=key, size=size) if key else None


@bp.get("/images/<key>-<int:size>.webp")
@login_required
def show(key: str, size: int) -> ResponseReturnValue:
    if not KEY_PATTERN.match(key) or size not in SIZES:
        abort(404)
    if not user_has_image(get_db(), g.user["id"], key):
        abort(404)
    path = image_store().path(key, size)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/webp", conditional=True, etag=True, max_age=None)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
