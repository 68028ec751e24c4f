"""The generated secret key: private, reused, and the same for processes starting at once."""

from __future__ import annotations

import multiprocessing
import stat

import pytest

from music_time_machine import create_app
from music_time_machine.config import DEV_SECRET_KEY, ConfigError
from music_time_machine.secret_key import (
    SecretKeyFileError,
    load_or_create_secret_key,
    secret_key_path,
)


def test_without_secret_key_a_private_key_file_is_created_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"MTM_DATA_DIR": str(tmp_path), "TESTING": True}
    first = create_app(config)
    path = secret_key_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] != DEV_SECRET_KEY and len(first.config["SECRET_KEY"]) >= 32
    assert path.read_text().strip() == first.config["SECRET_KEY"]
    assert create_app(config).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert list(tmp_path.glob(".secret_key*")) == []  # no temporary file left behind


def test_two_data_folders_get_different_keys(tmp_path):
    assert load_or_create_secret_key(tmp_path / "a") != load_or_create_secret_key(tmp_path / "b")


def _key_in(folder: str) -> str:
    return load_or_create_secret_key(folder)


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        keys = pool.map(_key_in, [str(tmp_path)] * 12)
    assert len(set(keys)) == 1
    assert secret_key_path(tmp_path).read_text().strip() == keys[0]


def test_an_empty_key_file_is_refused_not_silently_replaced(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    secret_key_path(tmp_path).write_text("")
    with pytest.raises(SecretKeyFileError, match="Delete the file"):
        load_or_create_secret_key(tmp_path)
    with pytest.raises(ConfigError, match="secret_key"):
        create_app({"MTM_DATA_DIR": str(tmp_path)})
    assert secret_key_path(tmp_path).read_text() == ""


@pytest.mark.parametrize("mtm_env", ["development", "production"])
def test_the_public_development_key_is_refused_in_every_mode(tmp_path, monkeypatch, mtm_env):
    monkeypatch.setenv("MTM_ENV", mtm_env)
    monkeypatch.setenv("SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(ConfigError, match="public"):
        create_app({"MTM_DATA_DIR": str(tmp_path)})
