"""The settings table: one row per option, driving the CLI, the environment and the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostkit.cli import main, parser, settings_from
from hostkit.settings import ALL_COMMANDS, SETTINGS, Settings

README = Path(__file__).parent.parent / "README.md"


def readme_rows() -> list[str]:
    """The README's settings table as it must read, built from SETTINGS."""
    rows = []
    for s in SETTINGS:
        default = "" if s.default is None else f"`{s.default}`"
        commands = ", ".join(sorted(s.commands)) if s.commands != ALL_COMMANDS else "every command"
        rows.append(f"| `{s.flag}` | `{s.env}` | {default} | {commands} | {s.help} |")
    return rows


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [row for row in readme_rows() if row not in text]
    assert not missing, "README.md lacks these settings rows:\n" + "\n".join(missing)


def test_every_setting_has_a_flag_and_an_environment_variable_of_its_own() -> None:
    assert len({s.flag for s in SETTINGS}) == len(SETTINGS)
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)
    assert all(s.env is not None and s.env.startswith("HOSTKIT_") for s in SETTINGS)
    assert all(s.commands <= ALL_COMMANDS for s in SETTINGS)


def test_the_environment_is_honoured_when_no_flag_is_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOSTKIT_DATA", str(tmp_path / "from-env"))
    monkeypatch.setenv("HOSTKIT_PORT", "8123")
    settings = settings_from(parser().parse_args(["serve"]))
    assert settings.data_dir == tmp_path / "from-env"
    assert settings.port == 8123
    assert settings.store_url == f"sqlite://{tmp_path / 'from-env'}"


def test_a_flag_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOSTKIT_DATA", str(tmp_path / "from-env"))
    monkeypatch.setenv("HOSTKIT_BUS", "redis://127.0.0.1:6379/0")
    args = parser().parse_args(["serve", "--data", str(tmp_path / "flag"), "--bus", "memory"])
    settings = settings_from(args)
    assert settings.data_dir == tmp_path / "flag"
    assert settings.bus == "memory"


def test_defaults_apply_with_neither_flag_nor_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for s in SETTINGS:
        assert s.env is not None
        monkeypatch.delenv(s.env, raising=False)
    assert settings_from(parser().parse_args(["purge"])) == Settings()
    assert Settings().store_url == "sqlite://hostkit-data"


def test_an_sqlite_store_url_names_the_data_directory(tmp_path: Path) -> None:
    settings = Settings.from_env({}, store=f"sqlite://{tmp_path}/hall")
    assert settings.data_dir == tmp_path / "hall"


def test_serve_refuses_a_bus_it_does_not_know_in_words(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="unknown bus 'nats://hall'"):
        main(["serve", "--data", str(tmp_path), "--bus", "nats://hall"])


def test_a_command_refuses_a_store_it_does_not_know_in_words() -> None:
    with pytest.raises(SystemExit, match="unknown store 'mysql://hall'"):
        main(["new", "--store", "mysql://hall", "--title", "Hall", "--format", "circle"])
