"""The bundled fake Spotify: a local Accounts service + Web API sandbox for demos and tests.

The app's real client code (spotipy + requests) runs against it unchanged when pointed at
``FakeSpotifyServer.accounts_url`` and ``.api_url``. It serves the 2026 Web API surface the app
uses, a seeded catalogue, a listener whose plays follow a deterministic clock, the 2026
development-mode restrictions (``mode="extended"`` lifts them) and fault injection.

Control endpoints (JSON, loopback only, no auth), all under ``/_fake``:

- ``GET /state`` summary; ``POST /reset`` forgets tokens, playlists, added plays, faults,
  clock changes, settings and mode changes.
- ``GET /catalogue`` artists, tracks and editorial playlists (ids, names, genres).
- ``GET /plays?limit=50`` newest plays at the fake's "now";
  ``POST /plays`` with ``[{"track_id" | "uri": ..., "played_at": ms}, ...]`` or
  ``{"count": N}`` (N plays, the newest ending now); ``DELETE /plays`` drops added plays.
- ``GET /playlists`` playlists created through the API, with their URIs in order.
- ``POST /mode`` ``{"mode": "dev" | "extended"}``.
- ``GET|POST /clock`` ``{"now": epoch_s | null, "offset": s, "advance": s,
  "auto_listening": bool}`` (``now`` freezes time; null unfreezes; ``auto_listening`` false
  leaves only added plays).
- ``GET|POST /settings`` ``{"refresh_returns_refresh_token": bool,
  "access_token_lifetime": s, "auto_approve": bool}``.
- ``POST /tokens`` ``{"scope": "..."}`` mints a token answer without the consent page.
- ``GET|POST|DELETE /faults``: POST ``{"path_prefix": "/v1/...", "method"?: "GET",
  "status"?: 429|500|502|503|..., "retry_after"?: s, "delay"?: s, "message"?: str,
  "times"?: n | null}`` (``times`` defaults to 1; null = until cleared), or the actions
  ``{"expire_access_tokens": true}`` / ``{"revoke_refresh_tokens": true}``.

Pictures: ``GET /_fake/images/<id>`` serves the JPEG every image object points at (the fake's
own address, never ``i.scdn.co``: the sandbox works offline), sized as Spotify's id prefix says.
"""

from .app import create_fake_app
from .server import FakeSpotifyServer, run_fake_spotify

__all__ = ["FakeSpotifyServer", "create_fake_app", "run_fake_spotify"]
