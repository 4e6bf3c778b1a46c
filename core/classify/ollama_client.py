"""Provides OllamaLabeller: one commit in, one validated label out, through the official ``ollama`` client.

Requests use the native chat API with a JSON-schema ``format`` whose ``label`` is an enum,
``temperature`` 0, a fixed ``seed`` and ``num_ctx``, a ``num_predict`` cap, a client timeout
and ``keep_alive``; one warm-up call loads the model before the first commit. An answer that
stops for length, is not valid JSON or names an unknown label gets one retry with the problem
spelled out; after that the commit is ``unclear`` and the problem is kept as the reason.

The sync ``ollama.Client`` (httpx underneath, safe to share between threads) is used from a
small thread pool by ``core.classify.llm_run``: the core stays synchronous, so the CLI and the
app's thread worker call it the same way, without an event loop inside a worker thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.classify import prompts
from core.classify.labels import UNCLEAR, normalise_label
from core.config import ClassifySettings
from core.errors import NetworkError

if TYPE_CHECKING:
    import ollama


class OllamaUnavailable(NetworkError):
    """Ollama cannot be used at all (not running, model missing): the rules' labels stay."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """The model that answers, as Ollama reports it."""

    name: str
    digest: str
    host: str
    thinking: bool = False  # the model can think; we turn that off to keep answers short


@dataclass(frozen=True, slots=True)
class LlmAnswer:
    """The outcome for one commit."""

    label: str
    reason: str
    usable: bool  # False: the model's answer stayed unusable after the retry (label is unclear)
    attempts: int


class TransientFailure(Exception):
    """One request failed in a way that may pass (timeout, server error): the commit is not cached."""

    def __init__(self, error: NetworkError) -> None:
        super().__init__(error.one_line())
        self.error = error


def map_error(exc: BaseException, host: str, model: str, timeout: float) -> NetworkError:
    """Turn an ``ollama``/httpx/connection exception into a one-line error with the command that fixes it."""
    import httpx
    import ollama

    if isinstance(exc, ollama.ResponseError):
        text = str(exc.error)
        if exc.status_code == 404 and ("model" in text.lower() or "not found" in text.lower()):
            return OllamaUnavailable(
                f"Ollama model '{model}' is not installed", f"at {host}", f"run `ollama pull {model}`"
            )
        return NetworkError(
            "Ollama refused the request",
            f"{text[:160]} (HTTP {exc.status_code}) at {host}",
            "check `ollama ps` and the Ollama server log",
        )
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(
            "Ollama did not answer in time", f"{timeout:g} s at {host}", "raise classify.timeout or use a smaller model"
        )
    if isinstance(exc, ConnectionError | httpx.ConnectError):
        return OllamaUnavailable(
            "Ollama is not running",
            f"no server at {host}",
            "start it with `ollama serve` (or set OLLAMA_HOST / classify.ollama_host)",
        )
    return NetworkError(
        "Cannot talk to Ollama",
        f"{type(exc).__name__}: {str(exc)[:160]} at {host}",
        "check OLLAMA_HOST and that the server is an Ollama server",
    )


class OllamaLabeller:
    """Labels commits with a local model; one instance per run, shared by the worker threads."""

    def __init__(self, settings: ClassifySettings, host: str) -> None:
        import ollama

        self.settings = settings
        self.host = host
        self.model = settings.model
        self._client: ollama.Client = ollama.Client(host=host, timeout=settings.timeout)
        self.info: ModelInfo | None = None

    def _error(self, exc: BaseException) -> NetworkError:
        return map_error(exc, self.host, self.model, self.settings.timeout)

    @property
    def options(self) -> dict[str, Any]:
        """Generation options: deterministic answers of bounded length from a fixed context."""
        s = self.settings
        return {"temperature": 0, "seed": s.seed, "num_ctx": s.num_ctx, "num_predict": s.num_predict}

    def options_json(self) -> str:
        """The options as stored beside each label (with keep_alive and the timeout)."""
        extra = {"keep_alive": self.settings.keep_alive, "timeout": self.settings.timeout}
        return json.dumps(self.options | extra, sort_keys=True)

    def check(self) -> ModelInfo:
        """Check that the server answers and has the model; return its digest.

        Raises:
            OllamaUnavailable: No server, or the model is not pulled.
            NetworkError: Any other failure.
        """
        import httpx
        import ollama

        try:
            listed = self._client.list().models
            show = self._client.show(self.model)
        except (ollama.ResponseError, httpx.HTTPError, ConnectionError) as exc:
            raise self._error(exc) from exc
        names = {self.model, f"{self.model}:latest"}
        digest = next((m.digest or "" for m in listed if m.model in names), "")
        thinking = "thinking" in (show.capabilities or [])
        self.info = ModelInfo(self.model, digest, self.host, thinking)
        return self.info

    def warm_up(self) -> None:
        """Load the model once before the first commit (an empty chat loads it and returns)."""
        import httpx
        import ollama

        try:
            self._client.chat(model=self.model, messages=[], keep_alive=self.settings.keep_alive)
        except (ollama.ResponseError, httpx.HTTPError, ConnectionError) as exc:
            raise self._error(exc) from exc

    def _chat(self, messages: list[dict[str, str]]) -> tuple[str, str | None]:
        import httpx
        import ollama

        think = False if self.info is not None and self.info.thinking else None
        try:
            response = self._client.chat(
                model=self.model,
                messages=messages,
                format=prompts.answer_schema(),
                options=self.options,
                keep_alive=self.settings.keep_alive,
                think=think,
            )
        except ConnectionError as exc:  # the server went away: nothing more can be done this run
            raise self._error(exc) from exc
        except httpx.ConnectError as exc:
            raise self._error(exc) from exc
        except (ollama.ResponseError, httpx.HTTPError) as exc:
            error = self._error(exc)
            if isinstance(error, OllamaUnavailable):
                raise error from exc
            raise TransientFailure(error) from exc
        return response.message.content or "", response.done_reason

    def label(self, prompt_input: str) -> LlmAnswer:
        """Ask the model for one commit's label, retrying once on an unusable answer.

        Raises:
            OllamaUnavailable: The server or the model disappeared.
            TransientFailure: This request failed (timeout, server error); try again later.
        """
        messages = prompts.messages_for(prompt_input)
        problem = ""
        for attempt in (1, 2):
            content, done_reason = self._chat(messages)
            label, reason, problem = parse_answer(content, done_reason)
            if label is not None:
                return LlmAnswer(label, reason, True, attempt)
            messages = messages + prompts.retry_turns(content, problem)
        return LlmAnswer(UNCLEAR, f"model answer unusable after retry: {problem}", False, 2)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()  # type: ignore[no-untyped-call]  # ollama leaves close() unannotated


def parse_answer(content: str, done_reason: str | None) -> tuple[str | None, str, str]:
    """Return ``(label, reason, problem)``: a normalised label, or None and what is wrong."""
    if done_reason == "length":
        return None, "", "the answer was cut off at num_predict tokens"
    try:
        data = json.loads(content)
    except ValueError:
        return None, "", f"not valid JSON: {content.strip()[:60]!r}"
    if not isinstance(data, dict) or not isinstance(data.get("label"), str):
        return None, "", "no label field in the JSON answer"
    label = normalise_label(data["label"])
    if label is None:
        return None, "", f"unknown label {data['label'][:40]!r}"
    reason = data.get("reason")
    return label, (reason if isinstance(reason, str) else "")[:200], ""
