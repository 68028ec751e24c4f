"""The accounts service's HTML: the consent page and the error page.

Plain HTML on purpose (no inline script or style attributes) so it renders under any CSP and is
trivial for a browser test to drive: two submit buttons in one POST form.
"""

from __future__ import annotations

from flask import render_template_string

SCOPE_TEXT = {
    "user-read-private": "Access your subscription details and country",
    "user-read-email": "Get your real email address",
    "user-read-recently-played": "Access your recently played items",
    "user-top-read": "Read your top artists and content",
    "playlist-read-private": "Access your private playlists",
    "playlist-read-collaborative": "Access your collaborative playlists",
    "playlist-modify-public": "Create, edit, and follow playlists",
    "playlist-modify-private": "Create, edit, and follow private playlists",
    "user-library-read": "Access your saved content",
    "user-library-modify": "Manage your saved content",
    "user-follow-read": "Access your followers and who you are following",
    "user-follow-modify": "Manage who you are following",
    "user-read-playback-state": "Read your currently playing content and Spotify Connect devices",
    "user-read-currently-playing": "Read your currently playing content",
}

_CONSENT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Authorize - Spotify (fake)</title>
</head>
<body>
<main>
<h1>Music Time Machine</h1>
<p>You agree that <strong>Music Time Machine</strong> will be able to:</p>
<ul id="scopes">
{% for scope, text in scopes %}<li data-scope="{{ scope }}">{{ text }} <code>{{ scope }}</code></li>
{% else %}<li>Access your public profile information</li>
{% endfor %}</ul>
<p>Logged in as <strong id="user">{{ user }}</strong>.</p>
<form method="post" action="{{ action }}">
{% for name, value in fields %}<input type="hidden" name="{{ name }}" value="{{ value }}">
{% endfor %}<button type="submit" name="decision" value="agree" id="agree">Agree</button>
<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>
</form>
<p><small>This is the bundled fake Spotify used for demos and tests.</small></p>
</main>
</body>
</html>
"""

_ERROR = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Error - Spotify (fake)</title>
</head>
<body>
<main>
<h1>Oops! Something went wrong, please try again or check out our help area.</h1>
<p id="error">{{ message }}</p>
</main>
</body>
</html>
"""


def consent_page(scopes: list[str], user: str, action: str, fields: list[tuple[str, str]]) -> str:
    described = [(scope, SCOPE_TEXT.get(scope, scope)) for scope in scopes]
    return render_template_string(
        _CONSENT, scopes=described, user=user, action=action, fields=fields
    )


def error_page(message: str) -> str:
    return render_template_string(_ERROR, message=message)
