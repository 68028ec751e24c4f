"""One settings table (``config.SETTINGS``) for the app, ``mtm check`` and the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from music_time_machine.config import SETTINGS, SETTINGS_BY_NAME, ConfigError, load_config
from music_time_machine.ops_check import run_checks

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "music_time_machine"
#: ``MTM_*`` names in src/ that are Flask config keys only, never read from the environment.
CONFIG_ONLY = {"MTM_SYNC_ON_CONNECT_DISABLED"}  # set by the tests' app fixture
#: Values that some parser refuses: each setting is tried with each one.
BAD_VALUES = ("not-a-value", "-1", "0", "100000", "http://example.org/", " ")


def _environment_reads(tree: ast.AST) -> set[str]:
    """Literal names read via ``env.get``/``environ.get``/``os.getenv``/``environ[...]``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            target = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value if isinstance(func, ast.Attribute) else None
            owner_name = (
                owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            )
            if target == "getenv" or (target == "get" and owner_name in ("env", "environ")):
                names.add(node.args[0].value)
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and getattr(node.value, "attr", getattr(node.value, "id", "")) == "environ"
        ):
            names.add(node.slice.value)
    return names


def test_every_variable_the_code_reads_from_the_environment_is_in_the_table():
    mentioned, read = set(), set()
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        mentioned |= set(re.findall(r"[\"'](MTM_[A-Z0-9_]+)[\"']", text))
        read |= _environment_reads(ast.parse(text))
    assert read <= set(SETTINGS_BY_NAME), read - set(SETTINGS_BY_NAME)
    assert mentioned - CONFIG_ONLY <= set(SETTINGS_BY_NAME), (
        mentioned - CONFIG_ONLY - set(SETTINGS_BY_NAME)
    )
    assert len(SETTINGS_BY_NAME) == len(SETTINGS)  # no name declared twice


def _readme_configuration_names() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_the_readme_configuration_table_lists_exactly_the_settings():
    listed = _readme_configuration_names()
    assert set(SETTINGS_BY_NAME) - listed == set(), "missing from README › Configuration"
    assert listed - set(SETTINGS_BY_NAME) == set(), "in README but not in config.SETTINGS"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_the_app_and_mtm_check_refuse_the_same_values(tmp_path, setting):
    """Whatever one setting's parser refuses, the app refuses to start and ``mtm check``
    reports as an error under that name with a fix; whatever it accepts, both accept."""
    base = {"MTM_DATA_DIR": str(tmp_path)}
    for raw in BAD_VALUES:
        env = (
            {**base, setting.name: raw}
            if setting.name != "MTM_DATA_DIR"
            else {setting.name: str(tmp_path / raw.strip())}
        )
        try:
            setting.read(env)
        except ConfigError as error:
            with pytest.raises(ConfigError, match=re.escape(setting.name)):
                load_config(env)
            errors = [f for f in run_checks(env) if f.level == "error"]
            assert [(f.topic, f.fix) for f in errors] == [(setting.name, error.fix)], errors
            assert error.fix
        else:
            load_config(env)
            assert setting.name not in {f.topic for f in run_checks(env) if f.level == "error"}


def test_unset_settings_read_as_their_declared_defaults(tmp_path):
    config = load_config({"MTM_DATA_DIR": str(tmp_path)})
    for setting in SETTINGS:
        if (
            setting.name in config
            and setting.name != "MTM_DATA_DIR"
            and setting.default is not None
        ):
            assert config[setting.name] == setting.parse(setting, setting.default), setting.name
    assert config["MTM_SYNC_INTERVAL"] == 1800 and config["MTM_SPOTIFY_TIMEOUT"] == 10.0
