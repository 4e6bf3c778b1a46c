"""Provides Settings, the one settings model, and its loading with documented precedence.

Precedence, lowest to highest: built-in defaults < the TOML config file (``--config``, else
``PTLM_CONFIG_FILE``, else the platform's config directory) < environment variables <
command-line flags. Environment variables: ``PTLM_<SECTION>__<FIELD>`` for any field (for
example ``PTLM_ANALYSIS__BIN_DAYS=7``), plus the conventional ones: ``PTLM_CACHE_DIR``,
``PTLM_OFFLINE``, ``HF_ENDPOINT``, ``HF_TOKEN``, ``GITHUB_TOKEN``/``GH_TOKEN`` and ``OLLAMA_HOST``.

Every command builds these, so they are plain dataclasses (``core.config_schema``): no
validation library is imported on the way to a command's first line of output.
To add a setting, add one line to its section: ``name: type = setting(doc="what it does",
default=..., ge=..., check=...)``; the example config file, the environment variable and the
strict checking follow from that line.

This module is written without ``from __future__ import annotations``: see ``core.config_schema``.
"""

import datetime as dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from core import paths
from core.config_schema import Secret, Section, SettingError, setting
from core.errors import ConfigError
from core.models import is_valid_repo_id

__all__ = [
    "AnalysisSettings",
    "CacheSettings",
    "ClassifySettings",
    "GitHubSettings",
    "HubSettings",
    "ProposeSettings",
    "Secret",
    "Settings",
    "SyncSettings",
    "UiSettings",
    "WatchItem",
    "load_settings",
    "read_config_file",
]

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


def _repo_id(value: str) -> None:
    if not is_valid_repo_id(value):
        raise ValueError(f"{value[:80]!r} is not an owner/name repository id")


def _url_without_credentials(value: str) -> None:
    """A base URL must not carry a user or password: it would be stored in clones and logs."""
    if "@" in (urlsplit(value).netloc if "://" in value else ""):
        raise ValueError(
            "the URL holds credentials (user:password@); remove them and give the token through "
            "GITHUB_TOKEN / GH_TOKEN (GitHub) or HF_TOKEN (the Hub), which are sent only as a header"
        )


def _http_url(value: str) -> None:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError(f"{value[:80]!r} is not an http(s):// URL")
    _url_without_credentials(value)


def _clone_base(value: str) -> None:
    if not value.lower().startswith(("http://", "https://", "file://", "ssh://", "git://", "/")):
        raise ValueError(f"{value[:80]!r} is not a URL git can clone from (https://, ssh://, file:// or a path)")
    _url_without_credentials(value)


def _printable(value: str) -> None:
    if not value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"{value[:40]!r} is empty or holds control characters")


def _links(value: Mapping[str, str]) -> None:
    for model, repo in value.items():
        if not is_valid_repo_id(model):
            raise ValueError(f"{model[:80]!r} is not a Hugging Face model id (owner/name)")
        if not is_valid_repo_id(repo):
            raise ValueError(
                f"{model} = {repo[:80]!r}: the value must be a GitHub repository as owner/name "
                '(for example "google-research/bert")'
            )


def _family_names(value: Mapping[str, str]) -> None:
    for repo, family in value.items():
        if not is_valid_repo_id(repo):
            raise ValueError(f"{repo[:80]!r} is not a GitHub repository id (owner/name)")
        _printable(family)


class CacheSettings(Section):
    """Where fetched and computed data lives."""

    dir: Path | None = setting(
        doc="Cache directory; empty means the platform's user cache dir (see `ptlm-tui locate cache`).", default=None
    )
    stale_after_days: int = setting(doc="Data synced longer ago than this is marked stale in the app.", default=7, ge=1)
    uri: str | None = setting(
        doc="Where the cache tables live instead of `dir`: any URI deltalake supports, e.g. "
        "s3://bucket/prefix (git clones stay under `dir`). Concurrent writers on S3 need "
        'storage_options conditional_put = "etag" (or a locking provider).',
        default=None,
    )
    storage_options: dict[str, str] = setting(
        doc="Options for the storage of `uri` (endpoint, region, credentials, conditional_put); never printed.",
        default_factory=dict,
    )
    retention_hours: int = setting(
        doc="`ptlm-tui cache compact` keeps the versions of this many past hours restorable.", default=168, ge=1
    )


class AnalysisSettings(Section):
    """The study's method (docs/method.md §3–§6); defaults reproduce the study."""

    bin_days: int = setting(doc="Length of a time bin in days.", default=14, ge=1, le=366)
    truncate_hf_to_day: bool = setting(
        doc="Cut Hugging Face commit times to the UTC day, as the study did.", default=True
    )
    until: dt.date | None = setting(
        doc="Ignore commits after this UTC day (the study's data ends 2024-10-10).", default=None
    )
    transitions_since: dt.date = setting(doc="Transitions use commits from this day on.", default=dt.date(2016, 1, 1))


class HubSettings(Section):
    """Hugging Face Hub access and discovery."""

    endpoint: str | None = setting(
        doc="Hub base URL; empty means HF_ENDPOINT, else https://huggingface.co.", default=None, check=_http_url
    )
    token: Secret | None = setting(
        doc="Hub token; empty means HF_TOKEN or the login stored by `hf auth login`.", default=None
    )
    pipeline_tags: list[str] = setting(
        default_factory=lambda: list(NLP_PIPELINE_TAGS),
        doc="Pipeline tags that make a model a candidate (the study's 12 NLP tags).",
    )
    min_downloads: int = setting(doc="Minimum downloads (last 30 days) for a candidate model.", default=10_000, ge=0)
    timeout: float = setting(doc="Seconds before one Hub request times out.", default=30.0, gt=0)
    max_retries: int = setting(
        doc="Retries for 429, 5xx and timeouts before a repo is marked failed.", default=4, ge=0, le=20
    )
    max_retry_after: float = setting(
        doc="Longest wait in seconds a rate limit (Retry-After, RateLimit) may impose; a server asking for more is "
        "tried again after this long.",
        default=900.0,
        ge=0,
    )


class GitHubSettings(Section):
    """GitHub (or Enterprise, a mirror, or file:// repositories) access."""

    base_url: str = setting(
        doc="Base URL that owner/name is appended to for cloning (GitHub Enterprise, mirrors, file://).",
        default="https://github.com",
        check=_clone_base,
    )
    token: Secret | None = setting(
        doc="Token for private repositories; empty means GITHUB_TOKEN or GH_TOKEN.", default=None
    )
    timeout: float = setting(doc="Seconds before one clone or fetch is abandoned.", default=300.0, gt=0)


class SyncSettings(Section):
    """How mining runs."""

    workers: int = setting(doc="Parallel fetches during sync.", default=4, ge=1, le=32)
    changed_files: Literal["git", "none"] = setting(
        doc="Where HF changed files come from: 'git' (a partial clone of each model repository, kept in the cache "
        "and fetched incrementally; drift needs it) or 'none' (the Hub's commit list only: no files, no drift).",
        default="git",
    )


class ProposeSettings(Section):
    """Proposals: bringing GitHub's version of a file to a variant (a Hub pull request) or back (a patch)."""

    max_file_mb: float = setting(
        doc="Files larger than this many megabytes (10^6 bytes) are listed and left out of a proposal.",
        default=10.0,
        gt=0,
    )


class ClassifySettings(Section):
    """Commit classification (docs/method.md §5)."""

    backend: Literal["rules", "ollama"] = setting(
        doc="'rules' (offline, instant) or 'ollama' (rules first, a local model for the rest).", default="rules"
    )
    ollama_host: str | None = setting(
        doc="Ollama server; empty means OLLAMA_HOST, else http://127.0.0.1:11434.",
        default=None,
        check=_url_without_credentials,
    )
    model: str = setting(doc="Ollama model name.", default="qwen2.5:7b-instruct", check=_printable)
    threshold: float = setting(doc="Rule labels below this confidence are sent to Ollama.", default=0.6, ge=0, le=1)
    concurrency: int = setting(doc="Parallel Ollama requests.", default=2, ge=1, le=32)
    num_ctx: int = setting(doc="Ollama context window (tokens).", default=4096, ge=512)
    num_predict: int = setting(doc="Cap on generated tokens per answer.", default=64, ge=8)
    seed: int = setting(doc="Sampling seed, fixed so answers repeat.", default=42)
    timeout: float = setting(doc="Seconds before one Ollama request times out.", default=120.0, gt=0)
    keep_alive: str = setting(doc="How long Ollama keeps the model loaded.", default="10m")


class UiSettings(Section):
    """The terminal app."""

    theme: str = setting(doc="Textual theme name (for example textual-light).", default="textual-dark")
    keymap: dict[str, str] = setting(
        default_factory=dict,
        doc="Key overrides: binding id = keys, for example 'sync-family' = 'ctrl+s' (ids: `ptlm-tui keys`).",
    )


class WatchItem(Section):
    """A model to follow even when discovery would not find it."""

    model: str = setting(doc="Hugging Face model id (owner/name).", check=_repo_id)
    github: str | None = setting(
        doc="Its GitHub repository (owner/name), if the card does not say.", default=None, check=_repo_id
    )


class Settings(Section):
    """All settings of ptlm-tui."""

    offline: bool = setting(doc="Never make a network request (PTLM_OFFLINE=1).", default=False)
    cache: CacheSettings = setting(default_factory=CacheSettings)
    analysis: AnalysisSettings = setting(default_factory=AnalysisSettings)
    hub: HubSettings = setting(default_factory=HubSettings)
    github: GitHubSettings = setting(default_factory=GitHubSettings)
    sync: SyncSettings = setting(default_factory=SyncSettings)
    classify: ClassifySettings = setting(default_factory=ClassifySettings)
    propose: ProposeSettings = setting(default_factory=ProposeSettings)
    ui: UiSettings = setting(default_factory=UiSettings)
    watchlist: list[WatchItem] = setting(default_factory=list, doc="Models to follow.")
    links: dict[str, str] = setting(
        default_factory=dict, doc="Model id = GitHub owner/repo, overriding the model card's link.", check=_links
    )
    family_names: dict[str, str] = setting(
        default_factory=dict, doc="GitHub owner/repo = family id, to rename a family.", check=_family_names
    )

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


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """Collect PTLM_<SECTION>__<FIELD> and the conventional variables into a nested dict (values as text)."""
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith("PTLM_") or "__" not in key:
            continue
        section, _, name = key[5:].lower().partition("__")
        out.setdefault(section, {})[name] = value
    if environ.get("PTLM_CACHE_DIR"):
        out.setdefault("cache", {})["dir"] = environ["PTLM_CACHE_DIR"]
    if "PTLM_OFFLINE" in environ:
        out["offline"] = environ["PTLM_OFFLINE"]  # converted (and refused when not a boolean) like any setting
    return out


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_config_file(path: Path, *, required: bool = False) -> dict[str, Any]:
    """Return the TOML content of ``path``, or {} when it does not exist and is not ``required``.

    Raises:
        ConfigError: The file is missing but required, unreadable, not UTF-8 or not valid TOML.
    """
    import tomllib

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise ConfigError(
                "Config file not found",
                str(path),
                "check the --config path, or create it: `ptlm-tui --config PATH locate config --write-example`",
            ) from None
        return {}
    except IsADirectoryError:
        raise ConfigError("The config path is a directory", str(path), "give the path of a .toml file") from None
    except OSError as exc:
        raise ConfigError("Cannot read the config file", f"{path}: {exc.strerror}", "check its permissions") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            "Config file is not UTF-8 text",
            f"{path}, line {line}: byte 0x{data[exc.start]:02x} cannot be decoded",
            "save the file as UTF-8",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("Config file is not valid TOML", f"{path}: {exc}", "fix the file or move it away") from exc


def load_settings(
    config_path: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    checks: Mapping[str, Callable[[Any], None]] | None = None,
) -> Settings:
    """Build Settings from defaults, the config file, the environment and CLI overrides.

    Args:
        config_path: Config file given on the command line: it must exist. None means
            ``PTLM_CONFIG_FILE`` or the default location, either of which may be absent.
        environ: Environment to read (``os.environ`` when None); tests pass their own.
        overrides: Nested values from command-line flags; they win over everything else.
        checks: Extra checks by dotted setting name (``"ui.keymap"``) for what only the caller
            knows (the app's binding ids); each raises ValueError with a message.

    Returns:
        The validated settings.

    Raises:
        ConfigError: A value is invalid; the message names the setting and where it came from.
    """
    env = os.environ if environ is None else environ
    path = paths.config_file(config_path) if config_path else _config_path_from(env)
    data = read_config_file(path, required=bool(config_path))
    layers = [
        ("config file " + str(path), data),
        ("environment", _env_overrides(env)),
        ("command line", overrides or {}),
    ]
    merged: dict[str, Any] = {}
    for _, layer in layers:
        merged = _merge(merged, layer)
    try:
        if not isinstance(merged.get("watchlist", []), list):
            raise SettingError(["watchlist"], "write each entry as a [[watchlist]] block")
        settings = Settings.model_validate(merged)
        for name, check in (checks or {}).items():
            value: Any = settings
            for part in name.split("."):
                value = getattr(value, part)
            try:
                check(value)
            except ValueError as exc:
                raise SettingError(list(name.split(".")), str(exc)) from None
    except SettingError as exc:
        source = next((n for n, layer in reversed(layers) if _has_path(layer, exc.path)), "the defaults")
        raise ConfigError(
            f"Invalid setting {exc.where}",
            f"{exc.message} (from {source})",
            "fix it; `ptlm-tui locate config` shows the file and the README's Configuration section every setting",
        ) from None
    return settings


def _config_path_from(environ: Mapping[str, str]) -> Path:
    env_path = environ.get("PTLM_CONFIG_FILE")
    return Path(env_path).expanduser() if env_path else paths.config_file()


def _has_path(layer: Mapping[str, Any], loc: list[str | int]) -> bool:
    """True when ``layer`` (a parsed file, the environment, the flags) holds the setting at ``loc``."""
    node: Any = layer
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
            continue
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            continue
        return False
    return True
