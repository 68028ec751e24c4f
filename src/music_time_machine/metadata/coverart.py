"""The Cover Art Archive: a release group's front image, and downloading it safely.

The server (never the browser) fetches covers, so a download is capped in size and must be
an image: the ``Content-Type`` must name one of ``IMAGE_TYPES`` and the first bytes must be
that format's signature, or ``ImageRejected`` is raised and nothing is kept. The Archive
has no 1-per-second rule, so it gets its own limiter only when a rate is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import BadResponse, ImageRejected
from .ratelimit import shared_limiter
from .service import ServiceSession

#: Accepted image types and their signatures (first bytes).
IMAGE_TYPES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
THUMBNAIL_SIZES = (250, 500, 1200)


@dataclass(frozen=True)
class CoverImage:
    """A release group's front image: the original and its thumbnails by width."""

    image_id: str
    url: str
    thumbnails: dict[int, str]
    release_mbid: str | None

    def url_for(self, width: int) -> str:
        """The smallest thumbnail at least ``width`` wide (the original when none is)."""
        for size in sorted(self.thumbnails):
            if size >= width:
                return self.thumbnails[size]
        return self.url


@dataclass(frozen=True)
class DownloadedImage:
    content_type: str
    data: bytes


class CoverArtClient:
    def __init__(
        self,
        base_url: str,
        user_agent: str,
        timeout: float = 10.0,
        rate_per_s: float | None = None,
        **session_options: Any,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        limiter = shared_limiter(self.base_url, rate_per_s) if rate_per_s else None
        self.session = ServiceSession(
            "Cover Art Archive", user_agent, timeout, limiter=limiter, **session_options
        )

    def front_image(self, release_group_mbid: str) -> CoverImage | None:
        """The group's front cover, or None when the Archive has no art for it."""
        response = self.session.get(
            f"{self.base_url}/release-group/{release_group_mbid}",
            headers={"Accept": "application/json"},
        )
        if response is None:
            return None
        try:
            body = response.json()
            images = body["images"]
        except (ValueError, KeyError, TypeError):
            raise BadResponse("the Cover Art Archive answered with unexpected JSON") from None
        release = body.get("release")
        for image in images:
            if isinstance(image, dict) and image.get("front") and image.get("image"):
                thumbs = {
                    int(k): v
                    for k, v in (image.get("thumbnails") or {}).items()
                    if k.isdigit() and isinstance(v, str)
                }
                return CoverImage(
                    str(image.get("id", "")),
                    image["image"],
                    thumbs,
                    release.rsplit("/", 1)[-1] if isinstance(release, str) else None,
                )
        return None

    def download(self, url: str, max_bytes: int = DEFAULT_MAX_BYTES) -> DownloadedImage | None:
        """The image at ``url`` (redirects followed), or None when it is gone (404).

        Raises ``ImageRejected`` (``too_large`` / ``not_an_image``) without keeping anything.
        """
        if not url.startswith(("https://", "http://")):
            raise ImageRejected(f"not a web address: {url[:80]!r}")
        response = self.session.get(url, stream=True)
        if response is None:
            return None
        with response:
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            if content_type not in IMAGE_TYPES:
                raise ImageRejected(f"expected an image, got {content_type or 'no type'!r}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ImageRejected(
                    f"image of {declared} bytes is over the {max_bytes}-byte cap", cause="too_large"
                )
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data.extend(chunk)
                if len(data) > max_bytes:
                    raise ImageRejected(
                        f"image is over the {max_bytes}-byte cap", cause="too_large"
                    )
        if not bytes(data).startswith(IMAGE_TYPES[content_type]):
            raise ImageRejected(f"the bytes are not a {content_type} image")
        return DownloadedImage(content_type, bytes(data))
