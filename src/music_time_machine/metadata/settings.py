"""The metadata settings, read once from the app config: URLs, rate, contact, on/off.

MusicBrainz asks every client to identify itself: the User-Agent is
``MusicTimeMachine/<version> ( <contact> )``. Against the public service enrichment runs only
with ``MTM_CONTACT`` set; a mirror or the bundled fake (any other host) does not need one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import __version__
from .artwork import image_hosts_for
from .coverart import CoverArtClient
from .enrichment import ArtworkTools
from .image_store import ImageStore
from .musicbrainz import MusicBrainzClient

PUBLIC_HOSTS = ("musicbrainz.org", "coverartarchive.org")
DEFAULT_TIMEOUT_S = 10.0


def user_agent(contact: str) -> str:
    """The User-Agent MusicBrainz asks for: application, version and a contact."""
    return (
        f"MusicTimeMachine/{__version__} ( {contact} )"
        if contact
        else f"MusicTimeMachine/{__version__}"
    )


def is_public_service(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in PUBLIC_HOSTS)


@dataclass(frozen=True)
class MetadataSettings:
    musicbrainz_url: str
    coverart_url: str
    rate_per_s: float
    contact: str
    switched_on: bool
    data_dir: str = "."
    spotify_api_url: str = "https://api.spotify.com/v1"
    timeout: float = DEFAULT_TIMEOUT_S

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MetadataSettings:
        return cls(
            config.get("MTM_MUSICBRAINZ_URL", "https://musicbrainz.org"),
            config.get("MTM_COVERART_URL", "https://coverartarchive.org"),
            float(config.get("MTM_MUSICBRAINZ_RATE", 1.0)),
            config.get("MTM_CONTACT", "") or "",
            config.get("MTM_ENRICH", True) is not False,
            str(config.get("MTM_DATA_DIR", ".")),
            config.get("MTM_SPOTIFY_API_URL", "https://api.spotify.com/v1"),
        )

    @property
    def user_agent(self) -> str:
        return user_agent(self.contact)

    def disabled_reason(self) -> str | None:
        """Why enrichment may not run, in words for the Settings page; None when it may."""
        if not self.switched_on:
            return "Turned off (MTM_ENRICH=0)."
        if not self.contact and (
            is_public_service(self.musicbrainz_url) or is_public_service(self.coverart_url)
        ):
            return (
                "MusicBrainz asks every client for a contact: set MTM_CONTACT to your "
                "e-mail or web address to fetch genres and cover art."
            )
        return None

    @property
    def enabled(self) -> bool:
        return self.disabled_reason() is None

    def musicbrainz(self, **options: Any) -> MusicBrainzClient:
        return MusicBrainzClient(
            self.musicbrainz_url,
            self.user_agent,
            self.rate_per_s,
            self.timeout,
            data_dir=self.data_dir,
            **options,
        )

    def coverart(self, **options: Any) -> CoverArtClient:
        return CoverArtClient(self.coverart_url, self.user_agent, self.timeout, **options)

    def artwork_tools(self, **options: Any) -> ArtworkTools:
        """What the run's artwork phase needs: the one place it is built (the job,
        ``mtm enrich`` and the demo all come through here)."""
        return ArtworkTools(
            self.coverart(**options),
            ImageStore.in_data_dir(Path(self.data_dir)),
            image_hosts_for(self.spotify_api_url),
        )
