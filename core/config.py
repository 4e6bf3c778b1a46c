"""Provides Settings, the one settings model, and its loading with documented precedence.

Precedence, lowest to highest: built-in defaults < the TOML config file (``PTLM_CONFIG_FILE``
or the platform's config directory) < environment variables < command-line flags.
Environment variables: ``PTLM_<SECTION>__<FIELD>`` for any field (for example
``PTLM_ANALYSIS__BIN_DAYS=7``), plus the conventional ones: ``PTLM_CACHE_DIR``,
``PTLM_OFFLINE``, ``HF_ENDPOINT``, ``HF_TOKEN``, ``GITHUB_TOKEN``/``GH_TOKEN`` and
``OLLAMA_HOST``.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from core import paths
from core.errors import ConfigError
from core.models import is_valid_repo_id

NLP_PIPELINE_TAGS = (
    "text-classification",
    "token-classification",
    "table-question-answering",
    "question-answering",
    "zero-shot-classification",
    "translation",
    "summarization",
    "feature-extraction",
    "text-generation",
    "text2text-generation",
    "fill-mask",
    "sentence-similarity",
)


class _Section(BaseModel):
    # Unknown keys are errors: a typo in the config file must not be silently ignored.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class CacheSettings(_Section):
    """Where fetched and computed data lives."""

    dir: Path | None = Field(
        default=None,
        description="Cache directory; empty means the platform's user cache dir (see `ptlm-tui locate cache`).",
    )
    stale_after_days: int = Field(
        default=7, ge=1, description="Data synced longer ago than this is marked stale in the app."
    )
    uri: str | None = Field(
        default=None,
        description="Where the cache tables live instead of `dir`: any URI deltalake supports, e.g. "
        "s3://bucket/prefix (git clones stay under `dir`). Concurrent writers on S3 need "
        'storage_options conditional_put = "etag" (or a locking provider).',
    )
    storage_options: dict[str, str] = Field(
        default_factory=dict,
        description="Options for the storage of `uri` (endpoint, region, credentials, conditional_put); never printed.",
    )
    retention_hours: int = Field(
        default=168, ge=1, description="`ptlm-tui cache compact` keeps the versions of this many past hours restorable."
    )


class AnalysisSettings(_Section):
    """The study's method (METHOD.md §3–§6); defaults reproduce the study."""

    bin_days: int = Field(default=14, ge=1, le=366, description="Length of a time bin in days.")
    truncate_hf_to_day: bool = Field(
        default=True, description="Cut Hugging Face commit times to the UTC day, as the study did."
    )
    until: dt.date | None = Field(
        default=None,
        description="Ignore commits after this UTC day (the study's data ends 2024-10-10).",
    )
    transitions_since: dt.date = Field(
        default=dt.date(2016, 1, 1), description="Transitions use commits from this day on."
    )


class HubSettings(_Section):
    """Hugging Face Hub access and discovery."""

    endpoint: str | None = Field(
        default=None, description="Hub base URL; empty means HF_ENDPOINT, else https://huggingface.co."
    )
    token: SecretStr | None = Field(
        default=None,
        description="Hub token; empty means HF_TOKEN or the login stored by `hf auth login`.",
    )
    pipeline_tags: list[str] = Field(
        default_factory=lambda: list(NLP_PIPELINE_TAGS),
        description="Pipeline tags that make a model a candidate (the study's 12 NLP tags).",
    )
    min_downloads: int = Field(
        default=10_000, ge=0, description="Minimum downloads (last 30 days) for a candidate model."
    )
    timeout: float = Field(default=30.0, gt=0, description="Seconds before one Hub request times out.")
    max_retries: int = Field(
        default=4, ge=0, le=20, description="Retries for 429, 5xx and timeouts before a repo is marked failed."
    )


class GitHubSettings(_Section):
    """GitHub (or Enterprise, a mirror, or file:// repositories) access."""

    base_url: str = Field(
        default="https://github.com",
        description="Base URL that owner/name is appended to for cloning (GitHub Enterprise, mirrors, file://).",
    )
    token: SecretStr | None = Field(
        default=None, description="Token for private repositories; empty means GITHUB_TOKEN or GH_TOKEN."
    )
    timeout: float = Field(default=300.0, gt=0, description="Seconds before one clone or fetch is abandoned.")


class SyncSettings(_Section):
    """How mining runs."""

    workers: int = Field(default=4, ge=1, le=32, description="Parallel fetches during sync.")
    changed_files: Literal["auto", "compare", "clone", "none"] = Field(
        default="auto",
        description="How HF changed files are fetched: 'compare' (one Hub API request per new commit), 'clone' "
        "(a bare blob-less git clone of the model repo: about 3 requests however many commits), 'auto' (clone "
        "when more than 3 commits are new, else compare), or 'none'.",
    )


class ClassifySettings(_Section):
    """Commit classification (METHOD.md §5)."""

    backend: Literal["rules", "ollama"] = Field(
        default="rules", description="'rules' (offline, instant) or 'ollama' (rules first, a local model for the rest)."
    )
    ollama_host: str | None = Field(
        default=None, description="Ollama server; empty means OLLAMA_HOST, else http://127.0.0.1:11434."
    )
    model: str = Field(default="qwen2.5:7b-instruct", description="Ollama model name.")
    threshold: float = Field(
        default=0.6, ge=0, le=1, description="Rule labels below this confidence are sent to Ollama."
    )
    concurrency: int = Field(default=2, ge=1, le=32, description="Parallel Ollama requests.")
    num_ctx: int = Field(default=4096, ge=512, description="Ollama context window (tokens).")
    num_predict: int = Field(default=64, ge=8, description="Cap on generated tokens per answer.")
    seed: int = Field(default=42, description="Sampling seed, fixed so answers repeat.")
    timeout: float = Field(default=120.0, gt=0, description="Seconds before one Ollama request times out.")
    keep_alive: str = Field(default="10m", description="How long Ollama keeps the model loaded.")


class UiSettings(_Section):
    """The terminal app."""

    theme: str = Field(default="textual-dark", description="Textual theme name (for example textual-light).")
    keymap: dict[str, str] = Field(
        default_factory=dict,
        description="Key overrides: binding id = keys, for example 'sync' = 'ctrl+s' (see the README key table).",
    )


class WatchItem(_Section):
    """A model to follow even when discovery would not find it."""

    model: str
    github: str | None = None

    @field_validator("model", "github")
    @classmethod
    def _repo_id(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_repo_id(value):
            raise ValueError(f"{value!r} is not an owner/name repository id")
        return value


class Settings(BaseModel):
    """All settings of ptlm-tui."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    offline: bool = Field(default=False, description="Never make a network request (PTLM_OFFLINE=1).")
    cache: CacheSettings = Field(default_factory=CacheSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    hub: HubSettings = Field(default_factory=HubSettings)
    github: GitHubSettings = Field(default_factory=GitHubSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    classify: ClassifySettings = Field(default_factory=ClassifySettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    watchlist: list[WatchItem] = Field(default_factory=list, description="Models to follow.")
    links: dict[str, str] = Field(
        default_factory=dict, description="Model id = GitHub owner/repo, overriding the model card's link."
    )
    family_names: dict[str, str] = Field(
        default_factory=dict, description="GitHub owner/repo = family id, to rename a family."
    )

    @field_validator("links", "family_names")
    @classmethod
    def _repo_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not is_valid_repo_id(key):
                raise ValueError(f"{key!r} is not an owner/name repository id")
        return value

    @property
    def cache_dir(self) -> Path:
        """The effective cache directory."""
        return paths.cache_dir(self.cache.dir)

    def hf_endpoint(self) -> str:
        """The effective Hub endpoint."""
        return (self.hub.endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")

    def github_token(self) -> str | None:
        """The GitHub token from settings or the environment, or None."""
        if self.github.token is not None:
            return self.github.token.get_secret_value()
        return os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or None

    def ollama_host(self) -> str:
        """The effective Ollama host."""
        return self.classify.ollama_host or os.environ.get("OLLAMA_HOST") or "http://127.0.0.1:11434"


_TRUE = {"1", "true", "yes", "on"}


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """Collect PTLM_<SECTION>__<FIELD> and the conventional variables into a nested dict."""
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith("PTLM_") or "__" not in key:
            continue
        section, _, name = key[5:].lower().partition("__")
        out.setdefault(section, {})[name] = value
    if "PTLM_CACHE_DIR" in environ:
        out.setdefault("cache", {})["dir"] = environ["PTLM_CACHE_DIR"]
    if "PTLM_OFFLINE" in environ:
        out["offline"] = environ["PTLM_OFFLINE"].strip().lower() in _TRUE
    return out


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_config_file(path: Path) -> dict[str, Any]:
    """Return the TOML content of ``path``, or {} when it does not exist.

    Raises:
        ConfigError: The file exists but is not valid TOML.
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("Config file is not valid TOML", f"{path}: {exc}", "fix the file or move it away") from exc
    except OSError as exc:
        raise ConfigError("Cannot read the config file", f"{path}: {exc.strerror}", "check its permissions") from exc


def load_settings(
    config_path: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build Settings from defaults, the config file, the environment and CLI overrides.

    Args:
        config_path: Config file to read; None means ``PTLM_CONFIG_FILE`` or the default path.
        environ: Environment to read (``os.environ`` when None); tests pass their own.
        overrides: Nested values from command-line flags; they win over everything else.

    Returns:
        The validated settings.

    Raises:
        ConfigError: A value is invalid; the message names the setting and where it came from.
    """
    env = os.environ if environ is None else environ
    path = paths.config_file(config_path) if config_path else _config_path_from(env)
    data = read_config_file(path)
    layers = [
        ("config file " + str(path), data),
        ("environment", _env_overrides(env)),
        ("command line", overrides or {}),
    ]
    merged: dict[str, Any] = {}
    for _, layer in layers:
        merged = _merge(merged, layer)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        source = next((name for name, layer in reversed(layers) if _has_path(layer, first["loc"])), "settings")
        raise ConfigError(
            f"Invalid setting {where}",
            f"{first['msg']} (from {source})",
            "fix it, or see `ptlm-tui locate config` and the README's configuration section",
        ) from exc


def _config_path_from(environ: Mapping[str, str]) -> Path:
    env_path = environ.get("PTLM_CONFIG_FILE")
    return Path(env_path).expanduser() if env_path else paths.config_file()


def _has_path(layer: Mapping[str, Any], loc: tuple[Any, ...]) -> bool:
    node: Any = layer
    for part in loc:
        if (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        else:
            return False
    return True
