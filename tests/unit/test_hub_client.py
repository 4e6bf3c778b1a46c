"""HubClient: the real huggingface_hub HTTP stack against the loopback fake Hub, failures included."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from core.mining.failures import SourceFailure, redact
from core.mining.hub import HubClient
from core.mining.polite import retry_after_seconds
from tests.fakes.fake_hub import FakeHub, Reply
from tests.fakes.mining import fast_retries, hub

__all__ = ["fast_retries", "hub"]

TOKEN = "hf_abcdefghijklmnopqrstuvwxyz0123"


def client(hub: FakeHub, token: str | None = None, **kw: object) -> HubClient:
    options: dict[str, object] = {"timeout": 5.0, "max_retries": 3}
    options.update(kw)
    return HubClient(hub.url, token, **options)  # type: ignore[arg-type]


def test_listing_follows_link_pages_and_stops_below_the_threshold() -> None:
    with FakeHub(listing_page_cap=2) as fake:
        for i, downloads in enumerate([90_000, 70_000, 50_000, 30_000, 9_000, 5_000, 1_000]):
            fake.add_model(f"org/m{i}", downloads=downloads, commits=1)
        fake.add_model("org/gen", downloads=80_000, pipeline_tag="text-generation", commits=1)
        found = list(client(fake).list_models(pipeline_tag="fill-mask", min_downloads=10_000))
        assert [m.id for m in found] == ["org/m0", "org/m1", "org/m2", "org/m3"]
        assert fake.count("^/api/models$") == 3  # the page holding m4 ends the listing; m5, m6 never fetched
        query = fake.requests[0].query
        assert (
            query["sort"] == ["downloads"] and query["pipeline_tag"] == ["fill-mask"] and "cardData" in query["expand"]
        )
        assert [m.id for m in client(fake).list_models(pipeline_tag="fill-mask", limit=3)] == [
            "org/m0",
            "org/m1",
            "org/m2",
        ]
        assert [m.id for m in client(fake).list_models(search="M6")] == ["org/m6"]


def test_model_info_card_and_commits(hub: FakeHub) -> None:
    model = hub.add_model("acme/bert", commits=5, card="# card\nhttps://github.com/acme/bert\n", gated="auto")
    api = client(hub)
    info = api.model_info("acme/bert")
    assert info.sha == model.sha and info.downloads == 50_000 and info.gated == "auto"
    assert info.created_at is not None and info.created_at.tzinfo is not None
    assert api.model_card("acme/bert") == model.card
    hub.add_model("acme/no-card", commits=1)
    assert api.model_card("acme/no-card") is None
    hub.models["acme/bert"].gated = False
    commits, met = api.commits("acme/bert", set())
    assert [c.id for c in commits] == [c.id for c in model.commits] and not met
    # The Hub gives no parents; the message is what follows the title, as git has it.
    assert commits[-1].title == "initial commit" and commits[0].parents == ()
    assert commits[0].text == "Update 4\n\nbody of 4" and commits[-1].text == "initial commit"
    known = {model.commits[2].id, model.commits[3].id, model.commits[4].id}
    hub.reset_log()
    newer, met = api.commits("acme/bert", known)
    assert [c.id for c in newer] == [model.commits[0].id, model.commits[1].id] and met
    assert hub.count("/commits/") == 1 and hub.requests[0].query["limit"] == ["100"]


def test_commit_pages_are_followed_until_a_known_commit() -> None:
    with FakeHub(commit_page_default=3) as fake:
        model = fake.add_model("acme/long", commits=10)
        api = client(fake)
        all_commits, _ = api.commits("acme/long", set())
        assert len(all_commits) == 10
        fake.reset_log()
        # with a known set the client asks for 100 per page, so this is one request
        newer, met = api.commits("acme/long", {model.commits[7].id})
        assert len(newer) == 7 and met and fake.count("/commits/") == 1


def test_rate_limit_is_honoured_with_a_countdown(hub: FakeHub) -> None:
    hub.add_model("acme/bert", commits=1)
    hub.script(r"^/api/models/acme/bert$", Reply(429, headers={"RateLimit": '"api";r=0;t=1'}))
    waits: list[float] = []
    started = time.monotonic()
    info = client(hub, on_wait=lambda left, what: waits.append(left)).model_info("acme/bert")
    assert info.id == "acme/bert"
    assert time.monotonic() - started >= 0.9 and waits[0] > 0.5 and waits[-1] == 0.0
    assert hub.count("^/api/models/acme/bert$") == 2


def test_a_rate_limit_pauses_every_worker(hub: FakeHub) -> None:
    for name in ("a", "b"):
        hub.add_model(f"acme/{name}", commits=1)
    hub.script(r"^/api/models/acme/a$", Reply(429, headers={"Retry-After": "1"}))
    api = client(hub)
    api.model_info("acme/a")  # sets the pause while it waits; the pause has passed now
    api.polite.rate_limited(1.0, 1)  # as if another worker just got a 429
    started = time.monotonic()
    api.model_info("acme/b")
    assert time.monotonic() - started >= 0.9


def test_persistent_429_gives_rate_limited_with_a_retry_time(hub: FakeHub) -> None:
    hub.add_model("acme/bert", commits=1)
    hub.script(r"^/api/models/acme/bert$", Reply(429, headers={"Retry-After": "0"}), times=10)
    with pytest.raises(SourceFailure) as caught:
        client(hub, max_retries=2).model_info("acme/bert")
    assert caught.value.status == "rate_limited" and caught.value.retry_after is not None
    assert hub.count() == 3


def test_a_long_reset_is_not_waited_for(hub: FakeHub) -> None:
    hub.add_model("acme/bert", commits=1)
    hub.script(r"^/api/models/acme/bert$", Reply(429, headers={"Retry-After": "3600"}))
    api = client(hub)
    started = time.monotonic()
    with pytest.raises(SourceFailure) as caught:
        api.model_info("acme/bert")
    assert caught.value.status == "rate_limited" and time.monotonic() - started < 1
    assert caught.value.retry_after is not None
    sent = hub.count()
    with pytest.raises(SourceFailure) as again:  # the pause holds for every later request: none is sent
        api.model_info("acme/bert")
    assert again.value.status == "rate_limited" and hub.count() == sent


def test_server_errors_are_retried_then_reported(hub: FakeHub, fast_retries: None) -> None:
    hub.add_model("acme/bert", commits=1)
    hub.script(r"^/api/models/acme/bert$", Reply(502), times=2)
    assert client(hub).model_info("acme/bert").id == "acme/bert"
    hub.reset_log()
    hub.script(r"^/api/models/acme/bert$", Reply(500), times=10)
    with pytest.raises(SourceFailure) as caught:
        client(hub, max_retries=2).model_info("acme/bert")
    assert caught.value.status == "server_error" and hub.count() == 3


@pytest.mark.parametrize(
    ("setup", "token", "status"),
    [
        ("missing", None, "not_found"),  # 401, as the real Hub answers an anonymous client
        ("private", None, "not_found"),  # the same 401: "not found or private", not a token problem
        ("missing", "wrong-token-value", "not_found"),  # 404
        ("private", "wrong-token-value", "not_found"),
        ("gated", None, "gated"),
    ],
)
def test_access_failures_are_classified(hub: FakeHub, setup: str, token: str | None, status: str) -> None:
    hub.token = TOKEN
    if setup != "missing":
        hub.add_model("acme/bert", commits=1, private=setup == "private", gated="manual" if setup == "gated" else False)
    api = client(hub, token)
    with pytest.raises(SourceFailure) as caught:
        api.commits("acme/bert", set())
    assert caught.value.status == status, caught.value.detail
    assert caught.value.hint


def test_the_token_opens_gated_models_and_never_shows_up(hub: FakeHub) -> None:
    hub.token = TOKEN
    hub.add_model("acme/bert", commits=2, gated="manual")
    api = client(hub, TOKEN)
    assert len(api.commits("acme/bert", set())[0]) == 2
    assert hub.requests[-1].authorization == f"Bearer {TOKEN}"
    hub.script(r"/commits/", Reply(400, body="bad request, you sent", echo_auth=True))
    with pytest.raises(SourceFailure) as caught:
        api.commits("acme/bert", set())
    text = f"{caught.value} {caught.value.detail} {caught.value.hint}"
    assert TOKEN not in text and "***" in text


def test_timeouts_are_retried_then_reported(hub: FakeHub, fast_retries: None) -> None:
    hub.add_model("acme/bert", commits=1)
    hub.script(r"^/api/models/acme/bert$", Reply(delay=1.0), times=10)
    started = time.monotonic()
    with pytest.raises(SourceFailure) as caught:
        client(hub, timeout=0.2, max_retries=1).model_info("acme/bert")
    assert caught.value.status == "timeout" and time.monotonic() - started < 3


def test_network_down_fails_fast_after_a_few_attempts(fast_retries: None) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    api = HubClient(f"http://127.0.0.1:{port}", None, timeout=2, max_retries=5)
    with pytest.raises(SourceFailure) as caught:
        api.model_info("acme/bert")
    assert caught.value.status == "network"
    started = time.monotonic()
    with pytest.raises(SourceFailure) as again:
        api.model_info("acme/other")
    assert again.value.status == "network" and "down" in again.value.detail
    assert time.monotonic() - started < 0.1


def test_cancel_stops_a_rate_limit_wait(hub: FakeHub) -> None:
    from core.errors import Cancelled
    from core.progress import CancelToken

    hub.add_model("acme/bert", commits=1)
    hub.script(r"^/api/models/acme/bert$", Reply(429, headers={"Retry-After": "30"}))
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        client(hub, cancel=token).model_info("acme/bert")
    assert time.monotonic() - started < 2


def test_ids_are_validated_before_any_request(hub: FakeHub) -> None:
    from core.errors import InputError

    api = client(hub)
    for bad in ("../etc/passwd", "-x/y", "a/b/c", "a/..", "a b/c"):
        with pytest.raises(InputError):
            api.model_info(bad)
    assert hub.count() == 0


def test_retry_after_forms() -> None:
    assert retry_after_seconds({"Retry-After": "7"}) == 7
    assert retry_after_seconds({"ratelimit": '"api";r=0;t=55', "Retry-After": "7"}) == 55
    assert retry_after_seconds({"ratelimit": '"api";r=3;t=55'}) is None
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert retry_after_seconds({"Retry-After": date}, now=1445412480 - 20) == 20
    assert retry_after_seconds({"Retry-After": "soon"}) is None


def test_redact_removes_tokens_and_credentials() -> None:
    text = (
        "Authorization: Bearer abcdefghijklmnop; url https://user:pw@host/x; hf_ABCDEFGHIJKLMNOP ghp_ABCDEFGHIJKLMNOP"
    )
    cleaned = redact(text + " secret-value", ["secret-value"])
    for leaked in ("abcdefghijklmnop", "user:pw", "hf_ABCDEFGHIJKLMNOP", "ghp_ABCDEFGHIJKLMNOP", "secret-value"):
        assert leaked not in cleaned
