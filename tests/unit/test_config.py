import pytest

from music_time_machine import create_app
from music_time_machine.config import DEV_SECRET_KEY, ConfigError, load_config


def test_development_defaults(tmp_path):
    config = load_config({"MTM_DATA_DIR": str(tmp_path)})
    assert config["MTM_ENV"] == "development"
    assert config["SECRET_KEY"] is None  # create_app then uses <data dir>/secret_key
    assert config["DATABASE"].startswith(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SPOTIFY_REDIRECT_URI"] == "http://127.0.0.1:5000/callback"


@pytest.mark.parametrize("secret", [DEV_SECRET_KEY, "short"])
def test_production_refuses_a_default_or_short_secret(tmp_path, monkeypatch, secret):
    monkeypatch.setenv("MTM_ENV", "production")
    monkeypatch.setenv("MTM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="secrets.token_hex"):
        create_app()


def test_production_without_a_secret_uses_the_generated_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv("MTM_ENV", "production")
    monkeypatch.setenv("MTM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key = create_app().config["SECRET_KEY"]
    assert key == (tmp_path / "secret_key").read_text().strip()


def test_production_starts_with_a_real_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("MTM_ENV", "production")
    monkeypatch.setenv("MTM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "a" * 64)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MTM_ENV": "staging"}, "MTM_ENV"),
        ({"MTM_TIMEZONE": "Mars/Olympus"}, "IANA"),
        ({"MTM_MAX_UPLOAD_MB": "lots"}, "MTM_MAX_UPLOAD_MB"),
        ({"MTM_MAX_UPLOAD_MB": "0"}, "at least 1"),
        ({"MTM_SPOTIFY_TIMEOUT": "soon"}, "MTM_SPOTIFY_TIMEOUT must be a number of seconds"),
        ({"MTM_SPOTIFY_TIMEOUT": "0"}, "more than 0 and at most 300"),
    ],
)
def test_bad_settings_are_explained(env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(env)


def test_upload_limit_becomes_max_content_length(app_config):
    app_config["MTM_MAX_UPLOAD_MB"] = 3
    app = create_app(app_config)
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024


def test_the_spotify_time_out_is_a_number_of_seconds():
    assert load_config({})["MTM_SPOTIFY_TIMEOUT"] == 10.0
    assert load_config({"MTM_SPOTIFY_TIMEOUT": "2.5"})["MTM_SPOTIFY_TIMEOUT"] == 2.5
