"""Sign-in and connection over real HTTP against the bundled fake Spotify."""

import pytest
from spotify_helpers import callback_path, connect_via_app, consent, query
from web_client import csrf_headers

from music_time_machine import create_app
from music_time_machine.crypto import TokenCipher
from music_time_machine.db import accounts
from music_time_machine.spotify import oauth

pytestmark = pytest.mark.fake_spotify


def settings_for(app):
    return oauth.OAuthSettings.from_config(app.config)


def test_login_redirects_to_authorize_with_state_pkce_and_exact_scopes(client):
    response = client.get("/login")
    params = query(response.headers["Location"])
    assert params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 20
    assert params["scope"].split() == list(oauth.SCOPES)


def test_connect_round_trip_links_the_account_to_the_local_user(app, client, conn, local_user):
    response = connect_via_app(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/settings")
    account = accounts.get_account(conn, local_user)
    assert account["spotify_id"] and account["status"] == "connected"
    # Tokens are stored encrypted, never in clear.
    tokens = accounts.load_tokens(conn, TokenCipher(app.config["SECRET_KEY"]), local_user)
    assert tokens.access_token.encode() not in bytes(account["access_token_enc"])
    assert tokens.refresh_token
    with client.session_transaction() as session:
        assert set(session.keys()) <= {
            "user_id",
            "gen",
            "seen",
            "_permanent",
            "_flashes",
            "csrf_token",
        }
        assert session["user_id"] == local_user
    page = client.get("/settings").get_data(as_text=True)
    assert "Connected" in page and account["display_name"] in page


def test_denied_consent_shows_a_friendly_page_and_stores_nothing(client, conn, local_user):
    response = connect_via_app(client, decision="cancel")
    assert response.status_code == 200
    assert "Spotify was not connected" in response.get_data(as_text=True)
    assert accounts.get_account(conn, local_user) is None


def test_a_missing_or_wrong_state_is_refused(client):
    start = client.get("/login")
    location = consent(start.headers["Location"])
    params = query(location)
    forged = client.get(f"/callback?code={params['code']}&state=forged")
    assert forged.status_code == 400
    assert "state" in forged.get_data(as_text=True)
    assert client.get(f"/callback?code={params['code']}").status_code == 400


def test_a_replayed_callback_is_refused(client):
    start = client.get("/login")
    path = callback_path(consent(start.headers["Location"]))
    assert client.get(path).status_code == 302
    assert client.get(path).status_code == 400  # the state was single use


def test_reused_code_and_wrong_verifier_are_refused_by_spotify(app, fake):
    settings = settings_for(app)
    verifier = oauth.new_code_verifier()
    code = query(consent(oauth.authorize_url(settings, "s" * 24, verifier)))["code"]
    assert oauth.exchange_code(settings, code, verifier).access_token
    with pytest.raises(oauth.OAuthError) as reused:
        oauth.exchange_code(settings, code, verifier)
    assert reused.value.error == "invalid_grant"
    code = query(consent(oauth.authorize_url(settings, "s" * 24, verifier)))["code"]
    with pytest.raises(oauth.OAuthError) as mismatch:
        oauth.exchange_code(settings, code, oauth.new_code_verifier())
    assert mismatch.value.error == "invalid_grant"


def test_without_credentials_login_explains_how_to_connect(app_config):
    app = create_app({**app_config, "SPOTIFY_CLIENT_ID": "", "SPOTIFY_CLIENT_SECRET": ""})
    response = app.test_client().get("/login")
    assert response.status_code == 503
    assert "SPOTIFY_CLIENT_ID" in response.get_data(as_text=True)


def test_multi_user_mode_requires_sign_in_and_creates_the_user(multi_user_app):
    client = multi_user_app.test_client()
    response = client.get("/analytics")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert "Sign in with Spotify" in client.get("/signin").get_data(as_text=True)
    assert connect_via_app(client).status_code == 302
    assert client.get("/analytics").status_code == 200
    # Signing out ends the session.
    client.post("/logout", headers=csrf_headers(client, "/"))
    assert client.get("/").status_code == 302


def test_the_allow_list_refuses_other_accounts(app_config):
    app = create_app(
        {
            **app_config,
            "MTM_LOCAL_MODE": False,
            "MTM_ALLOWED_SPOTIFY_IDS": frozenset({"someone-else"}),
        }
    )
    response = connect_via_app(app.test_client())
    assert response.status_code == 403
    assert "MTM_ALLOWED_SPOTIFY_IDS" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/analytics?range=7d", "/analytics?range=7d"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil", None),
        ("/\t/evil.example", None),
        ("javascript:alert(1)", None),
        (None, None),
    ],
)
def test_next_only_allows_same_site_paths(target, expected):
    from music_time_machine.web.current_user import safe_next

    assert safe_next(target) == expected
