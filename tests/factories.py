"""Small builders of batches and session rows for tests."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence

from notai.collect.protocol import Batch
from notai.events import Environment, Init, LmsContext, Message, MouseClick, MouseMove
from notai.store.sessions import SessionRecord

T0 = 1_780_000_000_000  # a client clock reading in 2026
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def session_id() -> str:
    return "s" + secrets.token_hex(8)


def lms(user_id: str = "8812", user_name: str = "Ada Lovelace") -> LmsContext:
    return LmsContext(
        provider="canvas",
        userId=user_id,
        userName=user_name,
        userUrl=f"https://canvas.example.edu/users/{user_id}",
        courseId="101",
        courseName="Calculus I",
        courseUrl="https://canvas.example.edu/courses/101",
    )


def init(
    seq: int = 0,
    *,
    user_agent: str = CHROME,
    webdriver: bool | None = False,
    context: LmsContext | None = None,
    url: str = "https://canvas.example.edu/courses/101/quizzes/7/take",
) -> Init:
    return Init(
        seq=seq,
        t=T0 + seq,
        url=url,
        title="Quiz 7",
        env=Environment(userAgent=user_agent, webdriver=webdriver, languages=["en-US"]),
        lms=context if context is not None else lms(),
    )


def person_moves_and_click(seq: int) -> list[Message]:
    """A short curved pointer trail and a click off the target's centre."""
    samples = [(i * 16, 100 + i * 7 + (i * i) % 5, 200 + i * 3) for i in range(20)]
    t = T0 + 1_000 + seq * 10
    return [
        MouseMove(seq=seq, t=t, samples=samples, coalesced=12),
        MouseClick(seq=seq + 1, t=t + 400, phase="click", x=240, y=259),
    ]


def batch(integration: str, session: str, events: Sequence[Message]) -> Batch:
    return Batch(v=1, integration=integration, session=session, events=list(events))


def session_record(
    integration: str, session: str, user_id: str, created_at: int, bot_score: float = 0.1
) -> SessionRecord:
    return SessionRecord(
        integration_id=integration,
        id=session,
        created_at=created_at,
        updated_at=created_at,
        status="closed",
        bot_score=bot_score,
        detection_flags="[]",
        evidence="{}",
        page_url="https://canvas.example.edu/courses/101/quizzes/7/take",
        origin="https://canvas.example.edu",
        user_agent=CHROME,
        user_agent_summary="Chrome 131 on Windows",
        user_id=user_id,
        user_name="Ada Lovelace",
        user_url=f"https://canvas.example.edu/users/{user_id}",
        course_id="101",
        event_count=0,
        first_event_at=None,
        last_event_at=None,
        detector_state=b"",
    )


def now_ms() -> int:
    return time.time_ns() // 1_000_000
