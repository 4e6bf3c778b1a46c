"""Provides ProposeScreen: a variant's proposal shown whole, sent only after an explicit yes.

The plan is built in a thread worker by the same ``core.propose`` functions ``ptlm-tui propose``
calls, and shown as the CLI prints it (heading, each file's diff and JSON keys, the files left
out and why, the commit message). Sending is two steps, as in lazygit: ``o`` asks "Open a pull
request on VARIANT?" in the bar, and only ``y`` sends (a patch for GitHub: ``o`` asks where to
write it, Enter writes). The send runs in a worker; its result goes to the app's status line and
is recorded by core (``ptlm-tui status`` and ``proposals`` show it). What cannot be sent (no
token, offline, nothing left, every file already in an open pull request) is said instead of
offering to send.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from core.errors import PtlmError
from core.propose.model import TO_GITHUB, TO_HUB
from core.words import plural
from tui.bindings import as_bindings, commands_for
from tui.failures import report_failure
from tui.safe import clean
from tui.widgets.diff_view import DiffView

if TYPE_CHECKING:
    from textual.worker import Worker

    from core.propose.model import Plan
    from core.propose.send import SendResult
    from tui.app import PtlmApp

# What the dialog is doing (``ProposeScreen.stage``).
PLANNING: Final = "planning"
READY: Final = "ready"  # the plan is shown; o asks
ASKING: Final = "asking"  # "Open a pull request on …? y/n" (or the patch's path)
SENDING: Final = "sending"
BROKEN: Final = "broken"  # the plan could not be made: the error is shown, Esc closes


@dataclass(frozen=True)
class ProposeOutcome:
    """What the dialog did (its dismiss value; None when closed without sending or writing)."""

    variant: str
    direction: str  # TO_HUB (a pull request) or TO_GITHUB (a patch)
    where: str  # the pull request's URL or the patch file's path
    proposal_id: str = ""


class ProposeScreen(ModalScreen[ProposeOutcome | None]):
    """The plan of a proposal for one variant; ``o`` then ``y`` opens the pull request, Esc closes."""

    SCOPE = "propose"
    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("propose")))
    DEFAULT_CSS = """
    ProposeScreen { align: center middle; }
    ProposeScreen > Vertical {
        width: 100%; height: 100%; margin: 1 2; border: thick $accent; background: $panel;
    }
    ProposeScreen #propose-title { text-style: bold; padding: 0 1; border-bottom: solid $accent 50%; }
    ProposeScreen DiffView { height: 1fr; scrollbar-gutter: stable; }
    ProposeScreen #propose-bar { height: auto; padding: 0 1; background: $boost; }
    ProposeScreen #propose-bar.-ask { background: $warning 30%; text-style: bold; }
    ProposeScreen #propose-bar.-error { color: $mark-error; text-style: bold; }
    ProposeScreen #patch-path { margin: 0 1; }
    """

    @dataclass
    class Planned(Message):
        """The plan was built (``refusal``: why it cannot be sent, told before asking)."""

        plan: Plan
        text: str
        refusal: str | None

    @dataclass
    class PlanFailed(Message):
        """The plan could not be built: one line saying why."""

        error: str

    @dataclass
    class Sent(Message):
        """Sending ended (open, failed or unknown), or the patch was written (``patch``)."""

        result: SendResult | None
        patch: Path | None = None
        error: str = ""

    def __init__(
        self,
        family: str,
        variant: str,
        paths: Sequence[str] = (),
        *,
        direction: str = TO_HUB,
        diverged: bool = False,
    ) -> None:
        """Show the proposal for ``variant`` of ``family``: only ``paths`` (HF or GitHub paths) when given."""
        super().__init__()
        self.family, self.variant, self.paths = family, variant, tuple(paths)
        self.direction, self.diverged, self.force = direction, diverged, False
        self.stage = PLANNING
        self.plan: Plan | None = None
        self.refusal: str | None = None
        self.error = ""  # the last failure to send, shown in the bar until the next key

    @property
    def ptlm(self) -> PtlmApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="propose-title", markup=False)
            yield DiffView("", id="propose-plan")
            yield Input(id="patch-path", compact=True)
            yield Static("", id="propose-bar", markup=False)

    def on_mount(self) -> None:
        self.query_one("#patch-path", Input).display = False
        self.query_one(DiffView).focus()
        self._start_plan()

    # -- planning -----------------------------------------------------------------------------

    def _start_plan(self) -> None:
        self.stage, self.plan, self.refusal, self.error = PLANNING, None, None, ""
        where = "to the Hub" if self.direction == TO_HUB else "to GitHub (a patch)"
        self._title(f"Proposal for {self.variant} {where}")
        self.query_one(DiffView).set_text("Reading the files that differ from the clones…")
        self._show_bar()
        self.build_plan()

    @work(thread=True, exclusive=True, group="propose-plan", exit_on_error=False, description="planning a proposal")
    def build_plan(self) -> None:
        """Build the plan as ``ptlm-tui propose`` does (no file is written, nothing is sent)."""
        from core.propose.plan import plan_proposal
        from core.propose.render import plan_text
        from core.propose.send import send_refusal

        app = self.ptlm
        settings = app.task_settings()
        try:
            plan = plan_proposal(
                app.store,
                settings,
                self.family,
                self.variant,
                self.paths,
                direction=self.direction,
                diverged=self.diverged,
                force=self.force,
            )
        except PtlmError as exc:
            self.post_message(self.PlanFailed(exc.one_line()))
            return
        refusal = send_refusal(settings, plan) if plan.direction == TO_HUB and plan.files else None
        self.post_message(self.Planned(plan, plan_text(plan, heading=False), refusal))

    @on(Planned)
    def planned(self, message: Planned) -> None:
        plan = message.plan
        self.plan, self.refusal, self.stage = plan, message.refusal, READY
        from core.propose.render import plan_heading

        self._title(plan_heading(plan))
        self.query_one(DiffView).set_text(message.text)  # the heading is the title
        self._show_bar()

    @on(PlanFailed)
    def plan_failed(self, message: PlanFailed) -> None:
        self.stage = BROKEN
        self.query_one(DiffView).set_text(f"No plan: {message.error}")
        self._show_bar()

    # -- the bar ------------------------------------------------------------------------------

    def _title(self, text: str) -> None:
        self.query_one("#propose-title", Static).update(Text(clean(text, single_line=True, limit=300)))

    def _nothing(self, plan: Plan) -> str:
        """Why a plan with no file sends nothing, in words."""
        if plan.already_open:
            urls = sorted({x.url for x in plan.already_open})
            files = plural(len(plan.already_open), "file")
            rest = " (the other files are left out: see above)" if len(plan.left_out) > len(plan.already_open) else ""
            return f"PR open: {', '.join(urls)} already brings {files}{rest}. F proposes again anyway · Esc closes"
        side = "behind GitHub" if plan.direction == TO_HUB else "ahead of GitHub"
        other = " · t: the other direction" if plan.direction == TO_HUB else " · t: back to a Hub pull request"
        reason = "nothing left to propose (see 'Left out')" if plan.left_out else f"no linked file is {side}"
        return f"Nothing to propose: {reason}{other} · Esc closes"

    def _bar_text(self) -> tuple[str, str]:
        """The bar's text and its class ("", "-ask" or "-error")."""
        plan = self.plan
        if self.stage == PLANNING:
            return "Planning… (Esc closes)", ""
        if self.stage == BROKEN:
            return "The proposal cannot be planned (see above). Esc closes", "-error"
        if self.stage == SENDING and self.direction == TO_GITHUB:
            return "Writing the patch…", "-ask"
        if self.stage == SENDING:
            return f"Opening a pull request on {self.variant}…", "-ask"
        assert plan is not None
        files = plural(len(plan.files), "file")
        if self.stage == ASKING and plan.direction == TO_HUB:
            return (
                f"Open a pull request on {self.variant} with {files}? y: yes, open it · n/Esc: no",
                "-ask",
            )
        if self.stage == ASKING:
            return f"Write the patch ({files}) to this file? Enter writes · Esc: back", "-ask"
        if self.error:
            return f"Not sent: {self.error}  (o tries again · Esc closes)", "-error"
        if not plan.files:
            return self._nothing(plan), ""
        if plan.direction == TO_GITHUB:
            return f"o: write a patch ({files}) for `git am` in your clone of {plan.gh_repo} · t: Hub · Esc: close", ""
        if self.refusal:
            return f"Cannot open a pull request: {self.refusal}. Esc closes", "-error"
        diverged = "D: without diverged" if self.diverged else "D: with diverged"
        again = ", again: an open pull request brings some already" if self.force else ""
        return (
            f"o: open a pull request on {self.variant} ({files}{again}; asks first) · t: patch for GitHub · "
            f"{diverged} · Esc: close",
            "",
        )

    def _show_bar(self) -> None:
        text, kind = self._bar_text()
        bar = self.query_one("#propose-bar", Static)
        bar.update(Text(clean(text, single_line=True, limit=600)))
        bar.set_class(kind == "-ask", "-ask")
        bar.set_class(kind == "-error", "-error")

    # -- keys ---------------------------------------------------------------------------------

    def action_send(self) -> None:
        """First step: ask (the pull request), or ask where to write (the patch). Never sends."""
        plan = self.plan
        if self.stage != READY or plan is None:
            return
        if not plan.files or self.refusal:
            self.error = ""
            self._show_bar()
            self.app.bell()
            return
        self.stage, self.error = ASKING, ""
        if plan.direction == TO_GITHUB:
            from core.propose.patch import default_patch_name

            box = self.query_one("#patch-path", Input)
            box.value = str(Path.cwd() / default_patch_name(plan))
            box.display = True
            box.focus()
        self._show_bar()

    def action_answer(self, yes: bool) -> None:
        """Second step for a pull request: y sends, n goes back to the plan."""
        plan = self.plan
        if self.stage != ASKING or plan is None or plan.direction != TO_HUB:
            return
        if not yes:
            self._back_to_plan()
            return
        self.stage = SENDING
        self._show_bar()
        self.send(plan)

    @on(Input.Submitted, "#patch-path")
    def patch_path_submitted(self, event: Input.Submitted) -> None:
        plan = self.plan
        if self.stage != ASKING or plan is None or plan.direction != TO_GITHUB:
            return
        path = event.value.strip()
        if not path:
            return
        self.stage = SENDING
        self.query_one("#patch-path", Input).display = False
        self._show_bar()
        self.write(plan, Path(path))

    def action_cancel(self) -> None:
        """Esc: back to the plan while asking; otherwise close without sending."""
        if self.stage == ASKING:
            self._back_to_plan()
        elif self.stage != SENDING:
            self.dismiss(None)

    def _back_to_plan(self) -> None:
        self.stage = READY
        self.query_one("#patch-path", Input).display = False
        self.query_one(DiffView).focus()
        self._show_bar()

    def _replan(self) -> None:
        if self.stage in (ASKING, SENDING):
            return
        self._start_plan()

    def action_toggle_direction(self) -> None:
        self.direction = TO_GITHUB if self.direction == TO_HUB else TO_HUB
        self.force = False
        self._replan()

    def action_toggle_diverged(self) -> None:
        self.diverged = not self.diverged
        self._replan()

    def action_force(self) -> None:
        """Plan again including files an open pull request already brings (``propose --force``)."""
        plan = self.plan
        if self.direction != TO_HUB or self.force or plan is None or not plan.already_open:
            return
        self.force = True
        self._replan()

    # -- sending ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="propose-send", exit_on_error=False, description="opening a pull request")
    def send(self, plan: Plan) -> None:
        """Open the pull request (core records it, whatever the result)."""
        from core.propose.send import send_proposal

        app = self.ptlm
        try:
            result = send_proposal(app.store, app.task_settings(prepare=True), plan)
        except PtlmError as exc:  # refused before anything was sent (offline, nothing left)
            self.post_message(self.Sent(None, error=exc.one_line()))
            return
        self.post_message(self.Sent(result))

    @work(thread=True, exclusive=True, group="propose-send", exit_on_error=False, description="writing a patch")
    def write(self, plan: Plan, path: Path) -> None:
        """Write the patch file (core records it)."""
        from core.propose.patch import write_patch

        try:
            written = write_patch(self.ptlm.store, plan, path.expanduser())
        except PtlmError as exc:
            self.post_message(self.Sent(None, error=exc.one_line()))
            return
        self.post_message(self.Sent(None, patch=written))

    @on(Sent)
    def sent(self, message: Sent) -> None:
        app, result = self.ptlm, message.result
        if message.patch is not None:
            where = str(message.patch)
            app.note = f"Patch written for {self.variant}: {where} (git am it in your GitHub clone)"
            outcome = ProposeOutcome(self.variant, TO_GITHUB, where)
        elif result is not None and result.ok and result.pr_url:
            app.note = f"PR opened on {self.variant}: {result.pr_url}"
            outcome = ProposeOutcome(self.variant, TO_HUB, result.pr_url, result.proposal_id)
        else:
            self.error = message.error or (result.error if result is not None else "") or "not sent"
            app.note = f"PR not opened on {self.variant}: {self.error}"
            app.refresh_status()  # the bar says it too: the dialog stays, to try again or close
            self.stage = READY
            self.query_one(DiffView).focus()
            self._show_bar()
            return
        app.refresh_status()
        app.notify(clean(app.note, limit=400), title="Proposal", markup=False)
        self.dismiss(outcome)
        app.reload()  # the screen below shows the record ("PR open")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A bug in a worker (a PtlmError is shown in the dialog): the app's one error handler.
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR and event.worker.error is not None:
            if self.stage in (PLANNING, SENDING):
                if self.stage == PLANNING:
                    self.query_one(DiffView).set_text("No plan: something went wrong (the error is shown).")
                self.stage = BROKEN if self.stage == PLANNING else READY
                self._show_bar()
            report_failure(self.app, event.worker.error, event.worker.description)
