"""Provides HubClient: the Hugging Face Hub calls mining needs, through huggingface_hub's HTTP stack.

Requests go through huggingface_hub's shared ``httpx2`` session (so ``HF_HUB_OFFLINE``, proxies
and its request hooks apply), its headers (user agent, token) and its error mapping
(``hf_raise_for_status``), but the retry policy is ours (``core.mining.polite``): the
library's own backoff sleeps silently and cannot be cancelled. Pagination follows the Hub's
``Link`` headers, as ``huggingface_hub.utils.paginate`` does, page by page so that the commit
listing stops at the first commit we already have.

Changed files per HF commit come from git only (``core.mining.hub_git``): a bare clone of the
model repository, kept in the cache and fetched incrementally, read with ``git log --raw``. The
Hub's ``compare`` endpoint has no documented contract, and on a real (unified-diff) answer a
parser of raw diff lines returns no files at all, silently; it is not used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

from core.mining import failures as st
from core.mining import polite
from core.mining.failures import SourceFailure
from core.mining.hub_payloads import HubCommit, HubModel, parse_commit, parse_model
from core.mining.polite import Politeness, WaitCallback, retry_after_seconds
from core.mining.repo_ids import require_repo_id
from core.progress import CancelToken

__all__ = ["HubClient", "HubCommit", "HubModel", "make_hub_client", "resolve_hf_token"]

if TYPE_CHECKING:
    import httpx2

    from core.config import Settings

LISTING_PAGE = 1000
MAX_REDIRECTS = 5
LISTING_EXPAND = ("downloads", "likes", "pipeline_tag", "createdAt", "lastModified", "sha", "gated", "cardData")
FIRST_SYNC_PAGE = 1000  # the JS client's maximum for the commits endpoint
INCREMENTAL_PAGE = 100
MAX_CARD_CHARS = 200_000


class HubClient:
    """The Hub calls of discover and sync, with our retry, rate-limit and redaction policy."""

    def __init__(
        self,
        endpoint: str,
        token: str | None,
        *,
        timeout: float,
        max_retries: int,
        cancel: CancelToken | None = None,
        on_wait: WaitCallback | None = None,
        max_retry_after: float | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        use_endpoint_in_library(self.endpoint)
        from huggingface_hub.utils import build_hf_headers

        self.timeout = timeout
        self._token = token
        self._origin = _origin(self.endpoint)
        # token=False: never let the library look one up behind our back; we resolved it already.
        self._headers = build_hf_headers(token=token or False, library_name="ptlm-tui")
        self.polite = Politeness(
            max_retries=max_retries,
            cancel=cancel,
            on_wait=on_wait,
            secrets=(token,),
            max_wait=polite.MAX_RETRY_AFTER_SECONDS if max_retry_after is None else max_retry_after,
        )

    @property
    def authenticated(self) -> bool:
        """True if requests carry a token."""
        return bool(self._token)

    # -- transport ---------------------------------------------------------------------------

    def _fail(self, status: str, detail: str, hint: str = "", **kw: Any) -> SourceFailure:
        return SourceFailure(status, detail, hint, secrets=(self._token,), **kw)

    def _same_host(self, url: str, what: str, came_from: str) -> str:
        """Return ``url`` if it is on the configured Hub host; refuse anything else.

        Page links and redirects come from the server: following one to another host would hand
        that host our token (and our requests), so it is a failure, not a hop.
        """
        if _origin(url) != self._origin:
            shown = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"[:80]
            raise self._fail(
                st.ERROR,
                f"{what}: the Hub's {came_from} points to another host ({shown}); not followed",
                "check hub.endpoint / HF_ENDPOINT: ptlm-tui talks only to the configured Hub",
            )
        return url

    def get(self, url: str, params: Any = None, *, what: str) -> httpx2.Response:
        """GET ``url`` with bounded retries; raise SourceFailure with a sync_state status on failure.

        Redirects are followed here, only within the configured Hub host (a renamed repository
        answers 307 to its new name); one to another host is refused.
        """
        import httpx2
        from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
        from huggingface_hub.utils import get_session, hf_raise_for_status

        attempt = 0
        redirects = 0
        url = self._same_host(url, what, "address")
        while True:
            self.polite.before_request(what)
            try:
                response = get_session().get(
                    url, params=params, headers=self._headers, timeout=self.timeout, follow_redirects=False
                )
            except OfflineModeIsEnabled:
                raise self._fail(st.OFFLINE, "HF_HUB_OFFLINE is set", "unset HF_HUB_OFFLINE to sync") from None
            except httpx2.TimeoutException:
                failure = (st.TIMEOUT, f"no answer from the Hub within {self.timeout:g} s", "try again later")
            except httpx2.TransportError as exc:
                if isinstance(exc, httpx2.ConnectError):
                    self.polite.connect_failed(f"{self.endpoint}: {type(exc).__name__}")
                failure = (st.NETWORK, f"cannot reach {self.endpoint}: {exc}", "check your connection or HF_ENDPOINT")
            else:
                self.polite.succeeded()
                code = response.status_code
                if response.is_redirect:
                    redirects += 1
                    if redirects > MAX_REDIRECTS:
                        raise self._fail(st.ERROR, f"{what}: more than {MAX_REDIRECTS} redirects", "check HF_ENDPOINT")
                    target = urljoin(str(response.url), response.headers.get("location", ""))
                    url, params = self._same_host(target, what, "redirect"), None
                    continue
                if code == 429:
                    attempt += 1
                    wait = retry_after_seconds(response.headers)
                    if attempt > self.polite.max_retries:
                        wait = min(wait if wait is not None else 60.0, self.polite.max_wait)
                        retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
                        raise self._fail(
                            st.RATE_LIMITED,
                            f"HTTP 429 from the Hub after {attempt} attempts",
                            "sync again later; an HF token raises the quota",
                            retry_after=retry_at,
                        )
                    self.polite.sleep(self.polite.rate_limited(wait, attempt), what, countdown=True)
                    continue
                if code == 408 or code >= 500:
                    failure = (
                        st.SERVER_ERROR,
                        f"HTTP {code} from the Hub",
                        "the Hub is having trouble; sync again later",
                    )
                else:
                    try:
                        hf_raise_for_status(response)
                    except HfHubHTTPError as exc:
                        raise self._classify(exc, what) from None
                    return response
            attempt += 1
            if attempt > self.polite.max_retries:
                raise self._fail(*failure)
            self.polite.sleep(self.polite.backoff(attempt), what, countdown=False)

    def _classify(self, exc: Exception, what: str) -> SourceFailure:
        from huggingface_hub.errors import (
            DisabledRepoError,
            GatedRepoError,
            HfHubHTTPError,
            RemoteEntryNotFoundError,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        code = exc.response.status_code if isinstance(exc, HfHubHTTPError) and exc.response is not None else 0
        server = getattr(exc, "server_message", None) or ""
        said = f": {server}" if server else ""
        if isinstance(exc, GatedRepoError):
            return self._fail(
                st.GATED,
                f"{what} is gated (HTTP {code}){said}",
                "accept its terms on the Hub, then set HF_TOKEN or run `hf auth login`",
            )
        if isinstance(exc, RevisionNotFoundError | RemoteEntryNotFoundError | DisabledRepoError):
            return self._fail(st.NOT_FOUND, f"{what}: not found (HTTP {code}){said}", "check the model id")
        if isinstance(exc, RepositoryNotFoundError):
            # Without a token the Hub answers 401 for a repository that does not exist, the same
            # as for a private one: it is first of all "not found", not a token problem.
            if code == 401 and not self._token:
                return self._fail(
                    st.NOT_FOUND,
                    f"{what}: not found or private (HTTP 401)",
                    "check the model id (`ptlm-tui link` fixes a wrong one); if it is private, set HF_TOKEN",
                )
            return self._fail(st.NOT_FOUND, f"{what} not found (HTTP {code})", "check the model id, or remove it")
        if code in (401, 403):
            return self._fail(
                st.UNAUTHORIZED,
                f"{what}: access refused (HTTP {code}){said}",
                "check that HF_TOKEN is valid and has read access",
            )
        if code == 404:
            return self._fail(st.NOT_FOUND, f"{what} not found (HTTP 404)", "check the model id")
        return self._fail(st.ERROR, f"{what}: HTTP {code}{said}", "see `ptlm-tui status`; report it if it persists")

    def _pages(self, url: str, params: Any, what: str) -> Iterator[tuple[list[Any], httpx2.Response]]:
        """Yield each page's JSON list, following ``Link: <...>; rel="next"``."""
        next_url: str | None = url
        while next_url is not None:
            response = self.get(next_url, params, what=what)
            params = None  # the next link carries its query
            data = response.json()
            if not isinstance(data, list):
                raise self._fail(st.ERROR, f"{what}: unexpected answer (not a list)", "check HF_ENDPOINT")
            yield data, response
            link = response.links.get("next", {}).get("url")
            next_url = self._same_host(urljoin(str(response.url), link), what, "next-page link") if link else None

    # -- endpoints ---------------------------------------------------------------------------

    def list_models(
        self,
        *,
        pipeline_tag: str | None = None,
        author: str | None = None,
        search: str | None = None,
        min_downloads: int = 0,
        limit: int | None = None,
    ) -> Iterator[HubModel]:
        """Yield models sorted by downloads (descending), stopping below ``min_downloads`` or at ``limit``.

        The Hub cannot filter on downloads, but it sorts by them, so the listing ends at the
        first model under the threshold without fetching the long tail.
        """
        params: dict[str, Any] = {"sort": "downloads", "limit": min(LISTING_PAGE, limit or LISTING_PAGE)}
        params["expand"] = list(LISTING_EXPAND)
        if pipeline_tag:
            params["pipeline_tag"] = pipeline_tag
        if author:
            params["author"] = author
        if search:
            params["search"] = search
        given = 0
        for page, _ in self._pages(f"{self.endpoint}/api/models", params, "model listing"):
            for item in page:
                model = parse_model(item) if isinstance(item, dict) else None
                if model is None:
                    continue
                if (model.downloads or 0) < min_downloads:
                    return
                yield model
                given += 1
                if limit is not None and given >= limit:
                    return

    def model_info(self, repo: str) -> HubModel:
        """Return the Hub's information on one model (head sha, downloads, gated, card metadata)."""
        require_repo_id(repo, "model")
        response = self.get(f"{self.endpoint}/api/models/{repo}", what=repo)
        data = response.json()
        model = parse_model(data) if isinstance(data, dict) else None
        if model is None:
            raise self._fail(st.ERROR, f"{repo}: unexpected model info", "check HF_ENDPOINT")
        return model

    def model_card(self, repo: str, revision: str = "main") -> str | None:
        """Return the model card (README.md) text, or None when the repository has none."""
        require_repo_id(repo, "model")
        url = f"{self.endpoint}/{repo}/resolve/{quote(revision, safe='')}/README.md"
        try:
            response = self.get(url, what=f"{repo} card")
        except SourceFailure as exc:
            if exc.status == st.NOT_FOUND:
                return None
            raise
        return response.text[:MAX_CARD_CHARS]

    def commits(self, repo: str, known: frozenset[str] | set[str]) -> tuple[list[HubCommit], bool]:
        """Return the commits of main newer than the newest ``known`` one (newest first).

        Paging stops at the first commit id already in ``known``. Returns ``(commits, met_known)``;
        ``met_known`` False with a non-empty ``known`` means the history was rewritten (for
        example squashed) and the list is the whole new history.
        """
        require_repo_id(repo, "model")
        size = INCREMENTAL_PAGE if known else FIRST_SYNC_PAGE
        url = f"{self.endpoint}/api/models/{repo}/commits/main"
        found: list[HubCommit] = []
        for page, _ in self._pages(url, {"limit": size}, repo):
            for item in page:
                commit = parse_commit(item) if isinstance(item, dict) else None
                if commit is None:
                    continue
                if commit.id in known:
                    return found, True
                found.append(commit)
        return found, False


def resolve_hf_token(settings: Settings) -> str | None:
    """Return the Hub token: ``hub.token`` in settings, else ``HF_TOKEN`` or the stored ``hf auth login``."""
    if settings.hub.token is not None:
        return settings.hub.token.get_secret_value() or None
    from huggingface_hub import get_token

    return get_token()


def _origin(url: str) -> tuple[str, str]:
    """Scheme and host:port of ``url`` (default ports spelled out), to compare hosts exactly."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    return parts.scheme.lower(), f"{(parts.hostname or '').lower()}:{port}"


def use_endpoint_in_library(endpoint: str) -> None:
    """Point huggingface_hub itself at ``endpoint``, not only our requests.

    The library reads ``HF_ENDPOINT`` once, at import, and contacts it on its own (it fetches
    ``/api/agent-harnesses`` when it first builds request headers); an endpoint set only in
    our config file would otherwise leave it talking to the public Hub. Its constants are set
    instead of the variable: changing the process environment while other threads read it (the
    Rust libraries do, natively) can crash the process.
    """
    from huggingface_hub import constants

    endpoint = endpoint.rstrip("/")
    if endpoint == constants.ENDPOINT:
        return
    host = (urlsplit(endpoint).hostname or "").lower()
    values = {
        "ENDPOINT": endpoint,
        "HUGGINGFACE_CO_URL_TEMPLATE": endpoint + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_URL_HOSTS": constants.HF_URL_HOSTS | {host} if host else constants.HF_URL_HOSTS,
    }
    for name, value in values.items():
        setattr(constants, name, value)


def make_hub_client(
    settings: Settings, *, cancel: CancelToken | None = None, on_wait: WaitCallback | None = None
) -> HubClient:
    """Return a HubClient for the effective endpoint (``hub.endpoint``, else ``HF_ENDPOINT``) and token.

    Raises:
        NetworkError: Settings say offline; callers must not build a client then.
    """
    from core.errors import NetworkError

    if settings.offline:
        raise NetworkError("Offline mode is on", "no request is made", "drop --offline / PTLM_OFFLINE to sync")
    return HubClient(
        settings.hf_endpoint(),
        resolve_hf_token(settings),
        timeout=settings.hub.timeout,
        max_retries=settings.hub.max_retries,
        cancel=cancel,
        on_wait=on_wait,
        max_retry_after=settings.hub.max_retry_after,
    )
