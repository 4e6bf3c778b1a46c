"""Provides send_proposal(): open a plan as a pull request on the variant's Hub repository, and record how it went.

Nothing reaches the variant's main branch: huggingface_hub's ``create_commit(..., create_pr=True)``
makes a pull request that a person merges on the Hub, based on the commit the plan was computed
against (``parent_commit``), so the pull request shows exactly the diff that was shown.

Before anything is sent: offline mode refuses, a missing token is said in one line, and the
token is checked with ``whoami`` (a read-only token is refused there). The library then asks the
Hub how to upload each file (``preupload``; a refusal there sends nothing), uploads binary
contents to the Hub's large-file storage when the Hub asks for it, and posts the commit in one
request: the Hub applies it whole or not at all. Large-file uploads go through git LFS's basic
transfer, which the Hub accepts for every repository (it moves them to Xet storage itself), so
that what runs is what the tests exercise against the loopback fake Hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.errors import InputError, NetworkError
from core.propose.model import TO_HUB, Plan
from core.propose.record import FAILED, OPEN_STATE, UNKNOWN, new_proposal_id, proposal_row, record

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.config import Settings

READ_ONLY_ROLES = frozenset({"read"})


@dataclass(frozen=True)
class SendResult:
    """How sending a proposal ended: ``open`` with the pull request's URL, or ``failed``/``unknown`` and why."""

    proposal_id: str
    state: str
    pr_url: str | None = None
    commit_oid: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the pull request is open."""
        return self.state == OPEN_STATE


class _Refused(Exception):
    """Sending stopped before anything was committed (the message says why, in one line)."""

    def __init__(self, message: str, state: str = FAILED) -> None:
        super().__init__(message)
        self.state = state


def send_proposal(store: CacheStore, settings: Settings, plan: Plan) -> SendResult:
    """Open ``plan`` as a pull request on the Hub and record the result (open, failed or unknown).

    Returns:
        The result; a failure is a result too (recorded, with its reason), never half a commit.

    Raises:
        InputError: The plan has no file to send, or goes to GitHub (a patch, never sent).
        NetworkError: Offline mode is on (nothing is sent or recorded).
    """
    if plan.direction != TO_HUB:
        raise InputError("A GitHub proposal is a patch file", plan.variant, "ptlm-tui never writes to GitHub")
    if not plan.files:
        raise InputError(
            "Nothing to send", f"{plan.variant}: the plan changes no file", "see the plan's left-out files"
        )
    if settings.offline:
        raise NetworkError("Offline mode is on", "nothing was sent", "drop --offline to open the pull request")
    proposal_id = new_proposal_id()
    try:
        info = _send(settings, plan)
    except _Refused as refused:
        result = SendResult(proposal_id, refused.state, error=str(refused))
    else:
        result = SendResult(proposal_id, OPEN_STATE, pr_url=info.pr_url, commit_oid=info.oid)
    record(
        store,
        proposal_row(
            plan,
            proposal_id=proposal_id,
            state=result.state,
            pr_url=result.pr_url,
            commit_oid=result.commit_oid,
            error=result.error,
        ),
    )
    return result


def send_refusal(settings: Settings, plan: Plan) -> str | None:
    """Why ``plan`` cannot be sent, told before anyone is asked to confirm (no request is made), or None.

    The app says this instead of offering to send: a plan to GitHub (a patch), a plan with no
    file, offline mode, or no Hub token. Whether the token may write is known only by asking the
    Hub (``whoami``), which sending does first.
    """
    from core.mining.hub import resolve_hf_token

    if plan.direction != TO_HUB:
        return "a proposal to GitHub is a patch file: ptlm-tui never writes to GitHub"
    if not plan.files:
        return "nothing to send: the plan changes no file"
    if settings.offline:
        return "offline mode is on: drop --offline to open the pull request"
    if not resolve_hf_token(settings):
        return "no Hub token: set HF_TOKEN (or run `hf auth login`) with a token that has write access"
    return None


def _send(settings: Settings, plan: Plan) -> Any:
    """Check the token, then create the pull request; raise _Refused with a one-line reason on any failure."""
    from core.mining.hub import resolve_hf_token

    endpoint = settings.hf_endpoint()
    token = resolve_hf_token(settings)
    if not token:
        raise _Refused(
            "no Hub token: set HF_TOKEN (or run `hf auth login`) with a token that has write access; nothing was sent"
        )
    try:
        return _create_pull_request(settings, plan, endpoint, token)
    except _Refused as refused:  # a server may echo what it got: the token never reaches a message
        raise _Refused(str(refused).replace(token, "<token>"), refused.state) from None


def _create_pull_request(settings: Settings, plan: Plan, endpoint: str, token: str) -> Any:
    from core.mining.hub import use_endpoint_in_library

    use_endpoint_in_library(endpoint)
    from huggingface_hub import CommitOperationAdd, HfApi, constants

    # git LFS's basic transfer for binary files (see the module docstring), never Xet's.
    constants.HF_HUB_DISABLE_XET = True
    api = HfApi(endpoint=endpoint, token=token, library_name="ptlm-tui")
    _check_token(api, token, endpoint)
    operations = [CommitOperationAdd(path_in_repo=f.target, path_or_fileobj=f.new) for f in plan.files]
    try:
        info = api.create_commit(
            repo_id=plan.variant,
            operations=operations,
            commit_message=plan.title,
            commit_description=plan.body,
            create_pr=True,
            parent_commit=plan.hf_parent,
        )
    except Exception as exc:
        raise _failure(exc, endpoint, plan.variant) from None
    if not info.pr_url:
        # The library drops files the Hub already holds; with none left it opens nothing.
        raise _Refused("nothing to propose: the Hub's main branch already holds these versions (sync, then plan again)")
    return info


def _check_token(api: Any, token: str, endpoint: str) -> None:
    """Ask the Hub who the token belongs to; refuse an unknown or read-only token before anything is sent."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    try:
        who = api.whoami(token=token)
    except HfHubHTTPError as exc:
        status = exc.response.status_code
        if status == 401:
            raise _Refused(
                "the Hub does not accept this token (401 Unauthorized): check HF_TOKEN or `hf auth login`; "
                "nothing was sent"
            ) from None
        raise _Refused(
            f"the Hub refused the token check ({status}): {_server_message(exc)}; nothing was sent"
        ) from None
    except httpx2.HTTPError as exc:
        raise _Refused(f"cannot reach the Hub at {endpoint}: {_first_line(exc)}; nothing was sent") from None
    role = ((who.get("auth") or {}).get("accessToken") or {}).get("role")
    if role in READ_ONLY_ROLES:
        name = who.get("name") or "this account"
        raise _Refused(
            f"the token of {name} is read-only (role {role}): opening a pull request needs a token with write "
            f"access ({endpoint}/settings/tokens); nothing was sent"
        )


def _failure(exc: Exception, endpoint: str, variant: str) -> _Refused:
    """The one-line reason for a failure while sending, and whether the pull request may exist anyway."""
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    if isinstance(exc, HfHubHTTPError):
        status = exc.response.status_code
        step = "commit" if "/commit/" in str(exc.response.url) else "upload"
        if status in (401, 403):
            return _Refused(
                f"the Hub refused the {step} ({status}): {_server_message(exc)}: the token needs write access "
                "(a read-only or fine-grained token without it cannot open pull requests); nothing was committed"
            )
        return _Refused(f"the Hub refused the {step} ({status}): {_server_message(exc)}; nothing was committed")
    if isinstance(exc, httpx2.HTTPError):
        url = _request_url(exc)
        if "/commit/" in url:
            return _Refused(
                f"no answer from the Hub to the commit request ({_first_line(exc)}): the pull request may or may not "
                f"exist; look at {endpoint}/{variant}/discussions before proposing again (--force)",
                UNKNOWN,
            )
        return _Refused(f"cannot reach the Hub at {endpoint}: {_first_line(exc)}; nothing was committed")
    if isinstance(exc, ValueError):  # the library refused before sending (a path, a README's metadata)
        return _Refused(f"not sent: {_first_line(exc)}")
    return _Refused(f"sending failed: {type(exc).__name__}: {_first_line(exc)}; nothing was committed")


def _request_url(exc: Any) -> str:
    try:
        return str(exc.request.url)
    except (AttributeError, RuntimeError):  # an error raised before a request existed
        return ""


def _server_message(exc: Any) -> str:
    message = getattr(exc, "server_message", None) or exc.response.reason_phrase or "no reason given"
    return _first_line(message)


def _first_line(value: object) -> str:
    from core.text import one_line

    text = str(value).strip()
    return one_line(text.splitlines()[0] if text else type(value).__name__, 300)
