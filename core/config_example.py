"""Writes the example config file: every setting, its documentation and default, commented out.

Kept apart from `core.config` because rendering TOML for people is a different job from loading
and validating it; the one link between them is the Settings model, read field by field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from core.config import Settings
from core.config_schema import Secret, Section, field_doc, literal_choices

# Values shown for settings that have no default, so that uncommenting a line gives a valid
# setting (an empty string would mean "the current directory" for a path, or an empty token).
EXAMPLE_VALUES: dict[str, Any] = {
    "cache.dir": "~/.cache/ptlm-tui",
    "cache.uri": "s3://my-bucket/ptlm-cache",
    "analysis.until": dt.date(2024, 10, 10),
    "hub.endpoint": "https://huggingface.co",
    "hub.token": "hf_your_token_here",
    "github.token": "ghp_your_token_here",
    "classify.ollama_host": "http://127.0.0.1:11434",
}


def _field_lines(name: str, info: Any, value: Any, key: str) -> list[str]:
    """Return the comment lines documenting one field and its (commented-out) setting line."""
    doc = field_doc(info) or "(undocumented)"
    choices = literal_choices(info.type)
    if choices:
        doc += " One of: " + ", ".join(choices) + "."
    lines = [f"# {doc}"]
    if value is None or isinstance(value, Secret):
        if key not in EXAMPLE_VALUES:
            return [*lines, f"# ({name} has no default)"]
        return [*lines, "# No default; for example:", f"# {name} = {_toml_value(EXAMPLE_VALUES[key])}"]
    return [*lines, f"# {name} = {_toml_value(value)}"]


def example_config() -> str:
    """Return a commented TOML file documenting every setting with its default.

    Every ``# key = value`` line is valid TOML and a valid setting once uncommented (the
    tests uncomment them all and load the result). ``ptlm-tui locate config --write-example``
    writes it; the README shows an excerpt.
    """
    top = Settings()
    lines = [
        "# ptlm-tui configuration. Every setting is shown with its default, commented out:",
        "# remove the leading '# ' of a setting line to change it.",
        "# Precedence, lowest to highest: built-in defaults < this file < environment variables",
        "# (PTLM_<SECTION>__<FIELD>, e.g. PTLM_ANALYSIS__BIN_DAYS=7) < command-line flags.",
        "# This file is found through --config, then PTLM_CONFIG_FILE, then `ptlm-tui locate config`.",
        "# Conventional variables also apply: PTLM_CACHE_DIR, PTLM_OFFLINE=1, HF_ENDPOINT, HF_TOKEN,",
        "# GITHUB_TOKEN or GH_TOKEN, OLLAMA_HOST. Prefer them to tokens written in this file.",
        "",
    ]
    sections: list[str] = []
    tables: list[str] = []
    for info in Settings.settings_fields():
        name = info.name
        value = getattr(top, name)
        if isinstance(value, Section):
            doc = (type(value).__doc__ or "").strip().splitlines()[0]
            sections += [f"[{name}]", f"# {doc} Environment: PTLM_{name.upper()}__<FIELD>."]
            for sub_info in type(value).settings_fields():
                sub = sub_info.name
                sections += _field_lines(sub, sub_info, getattr(value, sub), f"{name}.{sub}")
            sections.append("")
        elif name == "watchlist":
            tables += [
                f"# {field_doc(info)} One [[watchlist]] block per model; github (owner/repo) is optional.",
                "# [[watchlist]]",
                '# model = "google-bert/bert-base-uncased"',
                '# github = "google-research/bert"',
                "",
            ]
        elif isinstance(value, dict):
            example = {
                "links": ('"microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract"', '"microsoft/biomedsearch"'),
                "family_names": ('"google-research/bert"', '"google-bert_bert"'),
            }.get(name, ('"owner/name"', '"value"'))
            tables += [f"# {field_doc(info)}", f"[{name}]", f"# {example[0]} = {example[1]}", ""]
        else:
            lines += _field_lines(name, info, value, name)
    # Top-level keys must come before the first [table] to stay top-level once uncommented.
    return "\n".join([*lines, "", *sections, *tables]).rstrip("\n") + "\n"


def _toml_value(value: Any) -> str:
    if value is None or isinstance(value, Secret):
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()  # a TOML local date
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{}" if not value else "{ " + items + " }"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
