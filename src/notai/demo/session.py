"""One planned session, acted out and delivered as the collector would receive it."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from random import Random

import msgspec

from notai.collect.protocol import PROTOCOL_VERSION, Batch
from notai.demo.bots import BOT_STYLES, Bot
from notai.demo.devices import environment, viewport_of
from notai.demo.humans import KeyboardStudent, MouseStudent, TouchStudent
from notai.demo.layout import lay_out
from notai.demo.page import PageView
from notai.demo.pixel import flush_batches
from notai.demo.plan import SessionPlan
from notai.demo.scripts import Actor, act_on
from notai.events import Close, Environment, Focus, Identify, Init, LmsContext, Message

PROVIDER = "canvas"
LATE_IDENTIFY_RATE = 0.08
"""Pages where the pixel learns the student only after load (from the LMS's own script)."""
FINISH_RATE = 0.85
"""People do not always finish a quiz or a post in one sitting; bots always do."""
CLOCK_SKEW_MS = 1_500
"""How far a student's device clock may be from the server's."""


@dataclass(frozen=True)
class DemoSession:
    """One page view of the demo, as the pixel sends it.

    `received_at_ms` is when the collector receives the first batch (the session's start);
    `batches` are all its batches, each with the server time at which it is delivered, the
    last one holding `close`; `kind` names what acted on the page (`human`,
    `human_keyboard_only`, `human_touch`, or a bot family such as `headless`) and is for
    tests and summaries only: it is never sent to the server.
    """

    received_at_ms: int
    batches: list[tuple[int, Batch]]
    kind: str

    @property
    def is_bot(self) -> bool:
        """Whether automation, not a person, acted on the page."""
        return self.kind in BOT_STYLES


def build_session(plan: SessionPlan, integration_id: str) -> DemoSession:
    """Act the plan out on its page and deliver what the pixel sends, batch by batch."""
    rng = Random(plan.seed)
    session_id = base64.urlsafe_b64encode(rng.randbytes(16)).rstrip(b"=").decode()
    skew = rng.randint(-CLOCK_SKEW_MS, CLOCK_SKEW_MS)
    first_latency = _latency(rng)
    viewport = viewport_of(rng, plan.device)
    layout = lay_out(rng, plan.page, viewport)
    view = PageView(rng, viewport, plan.received_at_ms - first_latency + skew, layout.height)
    _open_page(view, plan)
    finishes = plan.kind in BOT_STYLES or rng.random() < FINISH_RATE
    act_on(_actor(view, plan), view, layout, finishes=finishes)
    _leave_page(view, plan)
    batches = _deliver(rng, flush_batches(view.queued), skew, plan.received_at_ms)
    return DemoSession(
        plan.received_at_ms,
        [
            (at, Batch(PROTOCOL_VERSION, integration_id, session_id, events))
            for at, events in batches
        ],
        plan.kind,
    )


def _actor(view: PageView, plan: SessionPlan) -> Actor:
    if plan.kind in BOT_STYLES:
        return Bot(view, BOT_STYLES[plan.kind])
    if plan.kind == "human_touch":
        return TouchStudent(view, plan.user)
    if plan.kind == "human_keyboard_only":
        return KeyboardStudent(view, plan.user)
    return MouseStudent(view, plan.user, trackpad=plan.device.platform == "MacIntel")


def _open_page(view: PageView, plan: SessionPlan) -> None:
    course = plan.page.course
    lms = LmsContext(
        provider=PROVIDER,
        userId=plan.user.user_id,
        userName=plan.user.name,
        userUrl=plan.user.url,
        courseId=str(course.course_id),
        courseName=course.title,
        courseUrl=course.url,
    )
    late = view.rng.random() < LATE_IDENTIFY_RATE
    first = msgspec.structs.replace(lms, userId="", userName="", userUrl="") if late else lms
    env = _environment(view, plan)
    referrer = _referrer(view, plan)
    page = plan.page
    view.emit(
        Init(
            seq=0, t=view.now, url=page.url, title=page.title, referrer=referrer, env=env, lms=first
        )
    )
    if late:
        view.wait(view.rng.randint(300, 2_500))
        view.emit(Identify(seq=0, t=view.now, lms=lms))
    view.wait(view.rng.randint(200, 900))


def _referrer(view: PageView, plan: SessionPlan) -> str:
    if plan.page.kind == "modules":
        return "" if view.rng.random() < 0.5 else plan.page.course.url
    return f"{plan.page.course.url}/modules"


def _environment(view: PageView, plan: SessionPlan) -> Environment:
    user, style = plan.user, BOT_STYLES.get(plan.kind)
    if style is None:
        return environment(plan.device, view.viewport, user.languages, user.timezone)
    languages, timezone = user.languages, user.timezone
    if plan.kind == "headless":  # a server's defaults, not the student's
        languages, timezone = ("en-US",), view.rng.choice(("UTC", user.timezone))
    return environment(
        plan.device,
        view.viewport,
        languages,
        timezone,
        webdriver=style.webdriver,
        automation=style.automation,
    )


def _leave_page(view: PageView, plan: SessionPlan) -> None:
    view.settle()
    linger = (
        view.rng.randint(20, 1_500) if plan.kind in BOT_STYLES else view.rng.randint(1_000, 20_000)
    )
    view.wait(linger)
    view.emit(Focus(seq=0, t=view.now, kind="hidden"))
    view.wait(view.rng.randint(1, 5))
    view.emit(Close(seq=0, t=view.now))


def _deliver(
    rng: Random, flushes: list[tuple[int, list[Message]]], skew: int, first_at: int
) -> list[tuple[int, list[Message]]]:
    """Server receive times: client send time on the server's clock, plus the network."""
    delivered: list[tuple[int, list[Message]]] = []
    previous = first_at - 1
    for index, (sent_at, messages) in enumerate(flushes):
        at = first_at if index == 0 else max(previous + 1, sent_at - skew + _latency(rng))
        delivered.append((at, messages))
        previous = at
    return delivered


def _latency(rng: Random) -> int:
    return int(rng.lognormvariate(3.9, 0.5))  # about 50 ms, now and then a few hundred
