"""The real ``ollama`` client against the loopback fake Ollama: requests, retries and error mapping."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from core.classify import prompts
from core.classify.ollama_client import OllamaLabeller, OllamaUnavailable, TransientFailure, parse_answer
from core.config import ClassifySettings
from core.models import ALL_LABELS
from tests.fakes.fake_ollama import DIGEST, MODEL, FakeOllama, refused_port, running_fake_ollama

PROMPT = "Platform: GitHub code repository\nTitle: Make it faster\nMessage: (none)\nChanged files (1): M:x.py"


@pytest.fixture
def fake() -> Iterator[FakeOllama]:
    with running_fake_ollama() as server:
        yield server


def labeller(host: str, **settings: object) -> OllamaLabeller:
    return OllamaLabeller(ClassifySettings.model_validate({"timeout": 5.0, **settings}), host)


def test_check_warm_up_and_label(fake: FakeOllama) -> None:
    client = labeller(fake.host, seed=7, num_ctx=2048, num_predict=48, keep_alive="3m")
    info = client.check()
    assert (info.name, info.digest, info.thinking) == (MODEL, DIGEST, False)
    client.warm_up()
    answer = client.label(PROMPT)
    assert (answer.label, answer.usable, answer.attempts) == ("pipeline performance", True, 1)
    paths = [r.path for r in fake.requests]
    assert paths == ["/api/tags", "/api/show", "/api/chat", "/api/chat"]
    warm = fake.requests[2].body
    assert warm["messages"] == [] and warm["keep_alive"] == "3m"
    body = fake.chats()[0].body
    assert body["stream"] is False and body["model"] == MODEL and body["keep_alive"] == "3m"
    assert body["options"] == {"temperature": 0, "seed": 7, "num_ctx": 2048, "num_predict": 48}
    assert body["format"]["properties"]["label"]["enum"] == list(ALL_LABELS)
    assert body["format"]["required"] == ["label", "reason"]
    messages = body["messages"]
    assert messages[0]["role"] == "system" and '{"label":' in messages[0]["content"]  # schema described in words too
    assert len(messages) == 2 + 2 * len(prompts.FEW_SHOT)
    assert messages[-1] == {"role": "user", "content": PROMPT}
    assert "think" not in body  # only sent to models that can think


def test_thinking_models_are_asked_not_to_think() -> None:
    with running_fake_ollama(capabilities=["completion", "thinking"]) as fake:
        client = labeller(fake.host)
        assert client.check().thinking
        client.label(PROMPT)
        assert fake.chats()[0].body["think"] is False


def test_one_retry_that_corrects_the_answer() -> None:
    with running_fake_ollama(script=["invalid_json", "good"]) as fake:
        answer = labeller(fake.host).label(PROMPT)
        assert (answer.label, answer.usable, answer.attempts) == ("pipeline performance", True, 2)
        first, second = fake.chats()
        # The retry changes the conversation: same seed and temperature 0 would repeat the bad answer.
        assert second.body["messages"][: len(first.body["messages"])] == first.body["messages"]
        assert second.body["messages"][-2]["role"] == "assistant"
        assert "not valid JSON" in second.body["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("behaviour", "problem"),
    [
        ("invalid_json", "not valid JSON"),
        ("length", "cut off at num_predict"),
        ("unknown_label", "unknown label 'refactoring'"),
    ],
)
def test_unusable_twice_gives_unclear_with_the_reason(behaviour: str, problem: str) -> None:
    with running_fake_ollama(behaviour=behaviour) as fake:
        answer = labeller(fake.host).label(PROMPT)
        assert (answer.label, answer.usable, answer.attempts) == ("unclear", False, 2)
        assert problem in answer.reason
        assert len(fake.chats()) == 2  # exactly one retry


def test_slow_answer_times_out_as_a_transient_failure() -> None:
    with running_fake_ollama(behaviour="slow", delay=1.5) as fake:
        with pytest.raises(TransientFailure) as info:
            labeller(fake.host, timeout=0.3).label(PROMPT)
        assert "did not answer in time" in str(info.value)


def test_slow_answer_within_the_timeout() -> None:
    with running_fake_ollama(behaviour="slow", delay=0.2) as fake:
        assert labeller(fake.host, timeout=5.0).label(PROMPT).usable


def test_server_error_is_transient() -> None:
    with running_fake_ollama(behaviour="server_error") as fake, pytest.raises(TransientFailure, match="HTTP 500"):
        labeller(fake.host).label(PROMPT)


def test_missing_model_says_how_to_pull_it() -> None:
    with running_fake_ollama(behaviour="missing_model") as fake:
        with pytest.raises(OllamaUnavailable) as info:
            labeller(fake.host).check()
        line = info.value.one_line()
        assert f"`ollama pull {MODEL}`" in line and "\n" not in line
        with pytest.raises(OllamaUnavailable, match="ollama pull"):
            labeller(fake.host).label(PROMPT)


def test_refused_connection_says_how_to_start_ollama() -> None:
    with pytest.raises(OllamaUnavailable) as info:
        labeller(f"http://127.0.0.1:{refused_port()}").check()
    assert "Ollama is not running" in str(info.value) and "`ollama serve`" in str(info.value)


def test_a_model_named_without_tag_matches_latest() -> None:
    with running_fake_ollama(models=["llama3.1:latest", "llama3.1"]) as fake:
        assert labeller(fake.host, model="llama3.1").check().digest == DIGEST


@pytest.mark.parametrize(
    ("content", "done", "expected"),
    [
        (json.dumps({"label": "Sharing", "reason": "upload"}), "stop", ("sharing", "upload", "")),
        (json.dumps({"label": "pipeline_performance"}), "stop", ("pipeline performance", "", "")),
        ("[1, 2]", "stop", (None, "", "no label field in the JSON answer")),
        ('{"label": "x"', "stop", (None, "", 'not valid JSON: \'{"label": "x"\'')),
    ],
)
def test_parse_answer(content: str, done: str, expected: tuple[str | None, str, str]) -> None:
    assert parse_answer(content, done) == expected
