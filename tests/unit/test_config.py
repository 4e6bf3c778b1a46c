"""Settings: the documented precedence (defaults < file < environment < flags) and strict, typed values."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import polars as pl
import pytest

from core.config import Settings, load_settings
from core.config_schema import Secret, SettingError
from core.errors import ConfigError
from tests.helpers import run_cli as run


def test_precedence_file_then_environment_then_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[cache]\ndir = "{tmp_path / "from-file"}"\n[analysis]\nbin_days = 7\n')
    monkeypatch.setenv("PTLM_CONFIG_FILE", str(config))

    def cache_dir(*flags: str) -> str:
        code, out, err = run([*flags, "locate", "cache"], capsys)
        assert code == 0, err
        return out.strip()

    assert cache_dir() == str(tmp_path / "from-file")  # file over the default
    monkeypatch.setenv("PTLM_CACHE__DIR", str(tmp_path / "from-env-field"))
    assert cache_dir() == str(tmp_path / "from-env-field")  # environment over the file
    monkeypatch.setenv("PTLM_CACHE_DIR", str(tmp_path / "from-env"))
    assert cache_dir() == str(tmp_path / "from-env")  # the conventional variable too
    assert cache_dir("--cache-dir", str(tmp_path / "from-flag")) == str(tmp_path / "from-flag")  # flag over all

    assert load_settings(config, environ={}).analysis.bin_days == 7
    assert load_settings(config, environ={"PTLM_ANALYSIS__BIN_DAYS": "21"}).analysis.bin_days == 21
    flags = {"analysis": {"bin_days": 28}}
    assert load_settings(config, environ={"PTLM_ANALYSIS__BIN_DAYS": "21"}, overrides=flags).analysis.bin_days == 28


def test_the_method_flags_win_over_file_and_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "c.csv").write_text(
        "family,platform,repo,authored_at\n"
        "fam,github,o/code,2022-01-01T00:00:00Z\nfam,huggingface,o/model,2022-01-25T00:00:00Z\n"
    )
    config = tmp_path / "config.toml"
    config.write_text("[analysis]\nbin_days = 7\n")
    monkeypatch.setenv("PTLM_CONFIG_FILE", str(config))

    def span(*flags: str) -> int:
        code, out, err = run(["analyze", str(tmp_path / "c.csv"), "--format", "csv", *flags], capsys)
        assert code == 0, err
        return int(pl.read_csv(io.StringIO(out))["span_bins"].item())

    assert span() == 4  # 24 days in 7-day bins
    monkeypatch.setenv("PTLM_ANALYSIS__BIN_DAYS", "12")
    assert span() == 3
    assert span("--bin-days", "30") == 1
    # A bad value says where it came from.
    monkeypatch.setenv("PTLM_ANALYSIS__BIN_DAYS", "two weeks")
    code, _, err = run(["analyze", str(tmp_path / "c.csv")], capsys)
    assert code == 1 and "analysis.bin_days" in err and "(from environment)" in err


def test_values_are_converted_and_checked() -> None:
    settings = load_settings(
        environ={
            "PTLM_OFFLINE": "yes",
            "PTLM_HUB__MIN_DOWNLOADS": "5",
            "PTLM_HUB__PIPELINE_TAGS": "fill-mask, translation",
            "PTLM_ANALYSIS__UNTIL": "2024-10-10",
            "PTLM_HUB__TOKEN": "hf_secret_value_1234",
            "PTLM_UI__KEYMAP": '{"sync-family": "ctrl+s"}',
        }
    )
    assert settings.offline is True and settings.hub.min_downloads == 5
    assert settings.hub.pipeline_tags == ["fill-mask", "translation"]
    assert settings.analysis.until == dt.date(2024, 10, 10)
    assert isinstance(settings.hub.token, Secret) and "hf_secret" not in repr(settings)
    assert settings.ui.keymap == {"sync-family": "ctrl+s"}
    for bad in ({"hub": {"timeout": 0}}, {"sync": {"changed_files": "sometimes"}}, {"analysis": {"until": "soon"}}):
        with pytest.raises(SettingError):
            Settings.model_validate(bad)
    with pytest.raises(ConfigError, match="watchlist"):
        load_settings(environ={}, overrides={"watchlist": {"model": "a/b"}})


def test_assignment_is_checked_like_loading() -> None:
    settings = Settings()
    settings.hub.endpoint = None
    settings.analysis.bin_days = "28"  # type: ignore[assignment]  # as the environment gives it
    assert settings.analysis.bin_days == 28
    with pytest.raises(SettingError, match="bin_days"):
        settings.analysis.bin_days = 0
    assert settings.ui.model_fields_set == frozenset()
    assert load_settings(environ={"PTLM_UI__THEME": "textual-light"}).ui.model_fields_set == {"theme"}
