"""The prompt: schema, instructions, invented few-shot examples, and how a commit is rendered."""

from __future__ import annotations

import json

import polars as pl
import pytest

from core.classify import prompts
from core.models import ALL_LABELS
from tests.conftest import shared_path


def render(**row: str | None) -> str:
    base: dict[str, str | None] = {"platform": "github", "title": "", "message": "", "files": ""}
    frame = pl.DataFrame([base | row], schema={k: pl.String for k in base})
    return str(frame.select(prompts.prompt_input_expr()).item())


def test_rendering_a_commit() -> None:
    text = render(
        platform="huggingface",
        title="Update README.md",
        message="Update README.md\n\nFix typo",
        files="M:README.md|A:LICENSE",
    )
    assert text == (
        "Platform: Hugging Face model repository\nTitle: Update README.md\nMessage: Fix typo\n"
        "Changed files (2): M:README.md, A:LICENSE"
    )


def test_rendering_without_message_or_files() -> None:
    assert render(title="wip", message=None, files=None).endswith("Message: (none)\nChanged files (0): (not known)")


def test_long_file_lists_and_control_characters_are_cut() -> None:
    files = "|".join(f"M:f{i}.py" for i in range(50))
    text = render(title="a\x1b[31mb\x07", files=files)
    assert "Title: a[31mb" in text and "\x1b" not in text and "\x07" not in text
    assert text.endswith("M:f39.py (+10 more)") and "Changed files (50)" in text


def test_schema_enumerates_every_label_and_the_prompt_describes_it() -> None:
    schema = prompts.answer_schema()
    assert schema["properties"]["label"]["enum"] == list(ALL_LABELS)
    system = prompts.system_prompt()
    assert all(label in system for label in ALL_LABELS)
    assert '{"label": "<one change type from the list>", "reason": "<at most 12 words>"}' in system


def test_messages_put_examples_before_the_commit() -> None:
    messages = prompts.messages_for("Platform: x")
    assert [m["role"] for m in messages[:3]] == ["system", "user", "assistant"]
    answers = [json.loads(m["content"]) for m in messages if m["role"] == "assistant"]
    assert all(a["label"] in ALL_LABELS for a in answers)
    assert messages[-1] == {"role": "user", "content": "Platform: x"}


def test_input_hash_is_stable_and_sensitive() -> None:
    assert prompts.input_hash("a") == prompts.input_hash("a") != prompts.input_hash("b")
    assert prompts.input_hashes(pl.Series(["a", "b"])).to_list() == [prompts.input_hash("a"), prompts.input_hash("b")]


@pytest.mark.shared_data
@pytest.mark.parametrize("sample", ["hf_dev.csv", "gh_dev.csv"])
def test_few_shot_examples_are_not_gold_commits(sample: str) -> None:
    gold = pl.read_csv(shared_path("data", "gold", sample), infer_schema=False)
    titles = {t.lower() for t in gold["title"].drop_nulls()}
    for example, _ in prompts.FEW_SHOT:
        title = example.split("\nTitle: ")[1].split("\n")[0]
        assert title.lower() not in titles
