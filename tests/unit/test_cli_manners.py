"""CLI manners: --version, examples in every --help, locate, the documented example config, demo."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

import pytest

from core import paths
from core.config import Settings, load_settings
from core.config_example import example_config
from core.config_schema import Section, field_doc
from tui import __version__
from tui.cli.main import main
from tui.cli.parser import build_parser

SETTING_LINE = re.compile(r'^# ((?:"[^"]+"|[A-Za-z0-9_]+) = .+|\[\[?[a-z_.]+\]\]?)$')


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    return dict(actions[0].choices)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ptlm-tui {__version__}"
    assert main(["--cache-dir", "x", "--version"]) == 0  # where argparse would answer it too
    assert capsys.readouterr().out.strip() == f"ptlm-tui {__version__}"


def test_every_command_help_has_examples() -> None:
    """Every verb, including those other modules add later, shows runnable examples."""
    parser = build_parser()
    assert "examples:" in parser.format_help()
    verbs = _subcommands(parser)
    assert {"import", "analyze", "report", "import-study", "compare", "locate", "demo"} <= set(verbs)
    for name, sub in verbs.items():
        text = sub.format_help()
        assert "examples:" in text, f"`ptlm-tui {name} --help` has no examples"
        examples = text.split("examples:", 1)[1]
        assert re.search(rf"^\s+.*ptlm-tui\b.*\b{re.escape(name)}\b", examples, re.M), name


def test_locate_prints_each_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["locate", "config"], capsys)[1].strip() == str(paths.config_file())
    assert run(["locate", "cache", "--cache-dir", str(tmp_path / "c")], capsys)[1].strip() == str(tmp_path / "c")
    assert run(["locate", "demo"], capsys)[1].strip() == str(paths.demo_cache_dir())
    assert run(["locate", "log"], capsys)[1].strip() == str(paths.log_dir())
    other = tmp_path / "elsewhere.toml"
    assert run(["--config", str(other), "locate", "config"], capsys)[1].strip() == str(other)


def test_locate_config_works_even_when_the_config_is_broken(capsys: pytest.CaptureFixture[str]) -> None:
    paths.config_file().write_text("[analysis\nbin_days = ")
    code, out, _ = run(["locate", "config"], capsys)
    assert code == 0 and out.strip() == str(paths.config_file())
    code, _, err = run(["locate", "cache"], capsys)
    assert code == 1 and "not valid TOML" in err and err.count("\n") == 1


def test_write_example_creates_once_and_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sub" / "config.toml"
    code, out, err = run(["--config", str(target), "locate", "config", "--write-example"], capsys)
    assert code == 0 and out.strip() == str(target) and "wrote" in err
    assert target.read_text() == example_config()
    assert load_settings(target) == Settings()  # everything commented out: the defaults
    target.write_text("offline = true\n")
    code, _, err = run(["--config", str(target), "locate", "config", "--write-example"], capsys)
    assert code == 0 and "left unchanged" in err and target.read_text() == "offline = true\n"
    code, _, err = run(["locate", "cache", "--write-example"], capsys)
    assert code == 2 and "only applies to `locate config`" in err  # a usage error


def _fields(model: type[Section], prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for info in model.settings_fields():
        annotation = info.type
        if isinstance(annotation, type) and issubclass(annotation, Section):
            out += _fields(annotation, f"{info.name}.")
        else:
            out.append((prefix + info.name, field_doc(info)))
    return out


def test_example_config_documents_every_setting() -> None:
    text = example_config()
    for key, description in _fields(Settings):
        name = key.rsplit(".", 1)[-1]
        assert description, f"setting {key} has no description"
        assert description in text, f"{key}: description missing from the example config"
        if "." in key:  # a section's field: its line sits inside the section
            block = text.split(f"\n[{key.split('.')[0]}]\n", 1)[1].split("\n[", 1)[0]
            assert re.search(rf"^# {name} = ", block, re.M), f"{key} has no setting line in its section"
        else:  # top-level: a key before the first table, a [table] or a [[table]] block
            assert re.search(rf"^# {name} = |^\[{name}\]$|^# \[\[{name}\]\]$", text, re.M), key


def test_example_config_is_valid_once_uncommented(tmp_path: Path) -> None:
    lines = [line[2:] if SETTING_LINE.match(line) else line for line in example_config().splitlines()]
    uncommented = "\n".join(lines) + "\n"
    assert uncommented.count("\n# ") < example_config().count("\n# ")
    data = tomllib.loads(uncommented)
    assert data["analysis"]["bin_days"] == 14 and data["offline"] is False
    path = tmp_path / "config.toml"
    path.write_text(uncommented)
    settings = load_settings(path, environ={})
    defaults = Settings()
    # Same as the defaults except where the example had to give a value for an unset setting.
    assert settings.analysis.bin_days == defaults.analysis.bin_days
    assert settings.classify == defaults.classify.model_copy(update={"ollama_host": "http://127.0.0.1:11434"})
    assert str(settings.analysis.until) == "2024-10-10"
    assert settings.cache_dir == Path("~/.cache/ptlm-tui").expanduser()
    assert [w.model for w in settings.watchlist] == ["google-bert/bert-base-uncased"]
    assert settings.links == {"microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract": "microsoft/biomedsearch"}


def test_demo_verb_builds_and_prints_the_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["demo"], capsys)
    assert code == 0 and out.strip() == str(paths.demo_cache_dir())
    assert "DEMO DATA" in err and "30 invented families" in err
    code, out, _ = run(["--cache-dir", str(paths.demo_cache_dir()), "analyze", "--format", "csv"], capsys)
    assert code == 0 and out.count("\n") == 31  # header + 30 families


def test_demo_flag_points_verbs_at_the_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--demo", "--cache-dir", str(tmp_path / "mine"), "report", "--format", "json"], capsys)
    assert code == 0 and '"families_analysed": 30' in out
    assert not (tmp_path / "mine").exists()
