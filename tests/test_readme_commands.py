"""The README's commands, run for real from fresh environments.

The first command (``uv run --locked --no-dev ptlm-tui``) runs in a copy of the tracked files, as
in a fresh clone. The install command (``uv tool install ...``) builds this repository into a
fresh isolated environment (only the package index is used, through uv's cache); the installed
``ptlm-tui`` then runs ``--version``, ``--help``, the app in a pseudo-terminal on an empty cache
(it must open the demo and quit on ``q``), and every command of the README's shell blocks in
order, against the loopback fake Hub and local repositories, the study check included when
``../shared`` is present.
"""

from __future__ import annotations

import io
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import REPO_ROOT, SHARED
from tests.fakes.fake_hub import FakeHub
from tests.fakes.mining import make_gh_repo
from tests.terminal import run_on_terminal

pytestmark = pytest.mark.slow

NETWORK_TROUBLE = re.compile(r"failed to fetch|dns|connect|network|timed out|offline|resolve host", re.I)


def _uv_cache_dir(uv: str) -> str:
    """The user's real uv cache (the test isolation points XDG_CACHE_HOME at an empty directory)."""
    if os.environ.get("UV_CACHE_DIR"):
        return os.environ["UV_CACHE_DIR"]
    env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
    env["HOME"] = pwd.getpwuid(os.getuid()).pw_dir
    return subprocess.run([uv, "cache", "dir"], env=env, capture_output=True, text=True, check=True).stdout.strip()


def run_in_terminal(
    argv: list[str], env: dict[str, str], until: bytes, timeout: float = 30.0, cwd: Path | None = None
) -> tuple[int, str]:
    """Run ``argv`` on a pseudo-terminal; once ``until`` is on screen, press q; return the screen's text."""
    code, out = run_on_terminal(argv, env, quit_when=until, timeout=timeout, cwd=cwd)
    text = re.sub(r"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)", "", out.decode("utf-8", "replace"))
    return code, text


def readme_commands() -> tuple[str, str]:
    """Return the README's two commands: run the app, run the tests (the first two sh blocks)."""
    blocks = re.findall(r"```sh\n(.*?)\n```", (REPO_ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2, "the README must open with the run command and the test command"
    return blocks[0].strip(), blocks[1].strip()


def test_readme_opens_with_the_two_commands() -> None:
    run, test = readme_commands()
    assert run == "pip install uv && uv run --locked --no-dev ptlm-tui"
    assert test == "pip install uv && uv run --locked pytest"
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines(), ".ci/run must run exactly the README's test command"


def test_readme_run_command_from_a_copy_of_the_checkout(tmp_path: Path) -> None:
    """The README's first command, verbatim, in a copy of the tracked files (as a fresh clone)."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (the README's command installs it with pip)")
    clone = tmp_path / "clone"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    env = dict(os.environ)
    env |= {"UV_CACHE_DIR": _uv_cache_dir(uv), "TERM": "xterm-256color", "PTLM_CACHE_DIR": str(tmp_path / "empty")}
    env.pop("VIRTUAL_ENV", None)
    run, _ = readme_commands()
    # `pip install uv` is a no-op here (uv is present); the rest runs exactly as written, in a terminal.
    code, screen = run_in_terminal(
        ["sh", "-c", run.replace("pip install uv && ", "")], env, until=b"aurora", timeout=240, cwd=clone
    )
    if code != 0 and NETWORK_TROUBLE.search(screen):
        pytest.skip("the package index is unreachable")
    assert code == 0, screen[-2000:]
    assert "DEMO DATA" in screen and "aurora-nlp_aurora-bert" in screen


def readme_install_command() -> list[str]:
    """The README's command that installs ptlm-tui for everyday use (``uv tool install ... .``)."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"`(uv tool install [^`]*\.)`", text)
    assert match, "the README must say how to install the command (uv tool install ...)"
    return shlex.split(match.group(1))


def readme_shell_commands() -> list[str]:
    """Every command line of the README's shell blocks after the two at the top, comments removed."""
    blocks = re.findall(r"```sh\n(.*?)\n\s*```", (REPO_ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks[2:] for line in block.splitlines()]
    return [line for line in lines if line]


def _qwen_pair(root: Path) -> bool:
    """Clone the real Qwen/Qwen-7B pair of ../shared next to the README's working directory, once."""
    bundles = SHARED / "data" / "repos"
    if not (bundles / "gh_QwenLM__Qwen.bundle").exists():
        return False
    for name, bundle in (("Qwen", "gh_QwenLM__Qwen.bundle"), ("Qwen-7B", "hf_Qwen__Qwen-7B.bundle")):
        if not (root / name).exists():
            subprocess.run(["git", "clone", "--quiet", str(bundles / bundle), str(root / name)], check=True)
    return True


def readme_world(root: Path, hub: FakeHub) -> dict[str, str]:
    """What the README's commands talk to: the fake Hub and local "GitHub" repositories it names."""
    gh_root = root / "github"
    for repo, commits in (("your-org/your-code", 6), ("google-bert/bert", 8), ("solo/code", 3)):
        make_gh_repo(gh_root, repo, commits=commits)
    hub.add_model("your-org/your-model", downloads=20_000, card="Code: https://github.com/your-org/your-code\n")
    hub.add_model("google-bert/bert-base-uncased", downloads=900_000, card="https://github.com/google-bert/bert\n")
    hub.add_model("google-bert/bert-large-uncased", downloads=400_000, card="https://github.com/google-bert/bert\n")
    hub.add_model("solo/mystery", downloads=50_000, card="No link in this card.\n", commits=2)
    return {
        "HF_ENDPOINT": hub.url,  # the README: "The Hub is HF_ENDPOINT"
        "PTLM_GITHUB__BASE_URL": gh_root.as_uri(),
        "PTLM_CACHE_DIR": str(root / "cache"),
        "PTLM_CONFIG_FILE": str(root / "config.toml"),
    }


def test_install_and_run_the_readmes_commands(tmp_path: Path) -> None:
    """The README's install command into a fresh environment, then every command of its shell blocks.

    The Hub is the loopback fake and "GitHub" local repositories (through the variables the README
    documents); the study's replication package comes from ../shared instead of a git clone.
    """
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (the README installs with `uv tool install`)")
    env = dict(os.environ)
    env |= {
        "UV_CACHE_DIR": _uv_cache_dir(uv),
        "UV_TOOL_DIR": str(tmp_path / "tools"),
        "UV_TOOL_BIN_DIR": str(tmp_path / "bin"),
        "TERM": "xterm-256color",
        "PTLM_CACHE_DIR": str(tmp_path / "empty-cache"),
    }
    install = readme_install_command()
    assert install[:3] == ["uv", "tool", "install"] and install[-1] == "."
    # --refresh-package: rebuild this checkout rather than reuse a wheel cached from older sources.
    command = [uv, *install[1:-1], "--refresh-package", "ptlm-tui", "--python", sys.executable, str(REPO_ROOT)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 and NETWORK_TROUBLE.search(done.stderr):
        pytest.skip(f"the package index is unreachable: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr
    exe = str(tmp_path / "bin" / "ptlm-tui")

    def cli(
        *args: str, extra: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, *args], env=env | (extra or {}), capture_output=True, text=True, timeout=120, cwd=cwd
        )

    version = cli("--version")
    assert version.returncode == 0 and re.fullmatch(r"ptlm-tui \d+\.\d+\.\d+\S*\n", version.stdout)
    help_ = cli("--help")
    assert help_.returncode == 0 and "examples:" in help_.stdout and "import-study" in help_.stdout
    site = next((tmp_path / "tools" / "ptlm-tui").glob("lib/python*/site-packages"))
    assert next(site.glob("polars/__pycache__/*.pyc"), None) is not None  # --compile-bytecode did its work

    # `ptlm-tui` with no data opens the demo (and says so), shows families, and quits on q.
    code, screen = run_in_terminal([exe], env, until=b"aurora")
    assert code == 0, screen[-2000:]
    assert "DEMO DATA" in screen and "aurora-nlp_aurora-bert" in screen
    assert not (tmp_path / "empty-cache").exists()  # the user's cache stays untouched
    locate = cli("locate", "demo")
    assert locate.returncode == 0 and Path(locate.stdout.strip(), "demo.json").exists()

    with FakeHub() as hub:
        world = readme_world(tmp_path / "world", hub)
        study = tmp_path / "world" / "study"
        for line in readme_shell_commands():
            argv = shlex.split(line)
            if argv[:2] == ["git", "clone"]:  # the study's package: ../shared holds a copy
                if not (SHARED / "data" / "replication").is_dir():
                    break  # the study check needs ../shared (present in CI)
                study.mkdir(parents=True)
                (study / "dataset").symlink_to(SHARED / "data" / "replication")
                continue
            assert argv[0] == "ptlm-tui", f"README command not covered by this test: {line}"
            if "../Qwen" in argv and not _qwen_pair(tmp_path):
                continue  # the drift examples read the real Qwen repositories of ../shared (present in CI)
            if argv == ["ptlm-tui"]:  # the app, on a terminal: it shows the family just synced
                code, screen = run_in_terminal([exe], env | world, until=b"your-org", cwd=study.parent)
                assert code == 0 and "your-org_your-code" in screen and "DEMO DATA" not in screen, screen[-2000:]
                continue
            ran = cli(*argv[1:], extra=world, cwd=study.parent)
            assert ran.returncode == 0, f"`{line}` exited {ran.returncode}: {ran.stderr[-1500:]}"
            if argv[1:] == ["status", "--failed"]:
                assert "no repositories to show" in ran.stderr  # everything the README synced is ok
            if argv[1:] == ["import-study", "study/dataset"]:
                assert "325 families, 904 HF variants, 3863 transitions" in ran.stderr
            if argv[1:] == ["report", "--published"]:
                for row in (
                    "| Disperse | 128 | 39.4 | 469 |",
                    "| GitHub First | 182 |",
                    "| Hugging Face First | 498 | 22.35 |",
                ):
                    assert row in ran.stdout
                assert "mean 0.414" in ran.stdout
        assert hub.count() > 0
    analysed = cli("analyze", "--format", "csv", extra=world)
    families = set(pl.read_csv(io.StringIO(analysed.stdout))["family"])
    assert families >= {"your-org_your-code", "google-bert_bert", "solo_code"}, analysed.stderr
