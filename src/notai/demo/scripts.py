"""What a session does on each kind of page, written once for every actor, person or bot."""

from __future__ import annotations

from typing import Protocol

from notai.demo.layout import PageLayout, Question
from notai.demo.page import PageView
from notai.events import Box, FormSubmit, Navigation

SESSION_BUDGET_MS = 35 * 60_000
"""Past this, a session wraps up; with its last step it stays well inside an hour."""
GIVE_UP_RATE = 0.25
"""Per question, for a person who will not finish this time: leaving before the next one."""
CHANGE_OF_MIND_RATE = 0.1


class Actor(Protocol):
    """Someone or something acting on a page; each kind leaves its own traces."""

    def read(self, words: int) -> None: ...

    def reach(self, top: int, height: int) -> None:
        """Scroll until a region starting at document y `top` is in view."""

    def press(self, box: Box) -> None: ...

    def write(self, field: str, box: Box, chars: int) -> None: ...

    def drift(self) -> None:
        """Between steps: whatever this actor does besides the task."""


def act_on(actor: Actor, view: PageView, layout: PageLayout, *, finishes: bool) -> None:
    """Work through the page: answer and submit it, or browse it when it has nothing to fill."""
    actor.read(layout.intro_words)
    if layout.links:
        _browse(actor, view, layout)
        return
    if layout.opener:
        actor.reach(layout.opener.y, layout.opener.h)
        actor.press(layout.opener)
    for question in layout.questions:
        if view.elapsed_ms > SESSION_BUDGET_MS:
            return
        _answer(actor, view, question)
        actor.drift()
        if not finishes and view.rng.random() < GIVE_UP_RATE:
            return
    if layout.submit:
        actor.reach(layout.submit.y, layout.submit.h)
        actor.press(layout.submit)
        view.emit(FormSubmit(seq=0, t=view.now, form=layout.form, fields=len(layout.questions)))


def _answer(actor: Actor, view: PageView, question: Question) -> None:
    actor.reach(question.top, question.height)
    actor.read(question.words)
    if question.choices:
        if view.rng.random() < CHANGE_OF_MIND_RATE:
            actor.press(view.rng.choice(question.choices))
        actor.press(view.rng.choice(question.choices))
    elif question.answer:
        actor.write(question.field, question.answer, question.answer_chars)


def _browse(actor: Actor, view: PageView, layout: PageLayout) -> None:
    for _ in range(view.rng.randint(1, 4)):
        if view.elapsed_ms > SESSION_BUDGET_MS:
            return
        header, route = view.rng.choice(layout.links)
        actor.reach(header.y, header.h)
        actor.press(header)
        view.emit(Navigation(seq=0, t=view.now, url=route, kind="route"))
        actor.read(view.rng.randint(20, 140))
        actor.drift()
