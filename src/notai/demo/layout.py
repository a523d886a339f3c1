"""Where things are on a Canvas page: questions, answer fields, links and the submit button.

Boxes are in document pixels; a `PageView` turns them into viewport pixels as it scrolls.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from notai.demo.courses import CoursePage
from notai.events import Box, Size

CHOICE_HEIGHT = 32
CHOICE_GAP = 12
SUBMIT_SIZE = (132, 38)


@dataclass(frozen=True)
class Question:
    """Something to answer: pick one of `choices`, or write `answer_chars` into `answer`."""

    field: str
    top: int
    height: int
    words: int
    choices: tuple[Box, ...] = ()
    answer: Box | None = None
    answer_chars: int = 0


@dataclass(frozen=True)
class PageLayout:
    intro_words: int
    questions: tuple[Question, ...] = ()
    opener: Box | None = None
    """A button that opens the answer editor (a discussion's Reply)."""
    links: tuple[tuple[Box, str], ...] = ()
    """Module headers and the in-page route each opens."""
    submit: Box | None = None
    form: str = ""
    height: int = 2000


def lay_out(rng: Random, page: CoursePage, viewport: Size) -> PageLayout:
    left, width = _content_column(viewport)
    if page.kind == "quiz":
        return _quiz(rng, left, width)
    if page.kind == "modules":
        return _modules(rng, page.url, left, width)
    return _written(rng, page.kind == "discussion", left, width)


def _content_column(viewport: Size) -> tuple[int, int]:
    # Canvas shows its global and course navigation beside the content on wide windows.
    left = 300 if viewport.w >= 1100 else 24
    return left, max(280, min(860, viewport.w - left - 40))


def _quiz(rng: Random, left: int, width: int) -> PageLayout:
    top, questions = 260, []
    first_id = rng.randrange(2_100_000, 2_900_000)
    for number in range(rng.randint(5, 12)):
        question = _quiz_question(rng, f"question_{first_id + number * 7}", top, left, width)
        questions.append(question)
        top += question.height + 40
    submit = Box(x=left, y=top + 40, w=SUBMIT_SIZE[0], h=SUBMIT_SIZE[1])
    return PageLayout(
        intro_words=rng.randint(30, 120),
        questions=tuple(questions),
        submit=submit,
        form="submit_quiz_form",
        height=top + 200,
    )


def _quiz_question(rng: Random, field: str, top: int, left: int, width: int) -> Question:
    words = rng.randint(15, 70)
    answers_at = top + 90
    if rng.random() < 0.72:
        choices = tuple(
            Box(
                x=left + 24,
                y=answers_at + i * (CHOICE_HEIGHT + CHOICE_GAP),
                w=width * 3 // 5,
                h=CHOICE_HEIGHT,
            )
            for i in range(4)
        )
        return Question(field, top, 90 + 4 * (CHOICE_HEIGHT + CHOICE_GAP) + 30, words, choices)
    essay = rng.random() < 0.12
    chars = rng.randint(100, 220) if essay else rng.randint(6, 50)
    answer = Box(x=left + 24, y=answers_at, w=width - 48, h=160 if essay else 36)
    return Question(field, top, 90 + answer.h + 30, words, (), answer, chars)


def _written(rng: Random, discussion: bool, left: int, width: int) -> PageLayout:
    # A discussion shows the prompt and earlier replies before its Reply button.
    prompt_height = rng.randint(500, 1600) if discussion else rng.randint(350, 900)
    editor_top = prompt_height + 120
    field = "discussion_reply" if discussion else "submission_body"
    editor = Box(x=left, y=editor_top, w=width, h=260)
    opener = Box(x=left, y=editor_top - 56, w=96, h=36) if discussion else None
    chars = rng.randint(50, 220) if discussion else rng.randint(80, 260)
    question = Question(field, editor_top - 56, 340, 0, (), editor, chars)
    submit = Box(
        x=left + width - SUBMIT_SIZE[0], y=editor_top + 290, w=SUBMIT_SIZE[0], h=SUBMIT_SIZE[1]
    )
    form = "discussion_reply_form" if discussion else "submit_online_text_entry_form"
    return PageLayout(
        intro_words=prompt_height // 4,
        questions=(question,),
        opener=opener,
        submit=submit,
        form=form,
        height=editor_top + 600,
    )


def _modules(rng: Random, url: str, left: int, width: int) -> PageLayout:
    links, top = [], 180
    first_id = rng.randrange(120_000, 190_000)
    for number in range(rng.randint(3, 6)):
        header = Box(x=left, y=top, w=width, h=44)
        links.append((header, f"{url}#module_{first_id + number * 3}"))
        top += 44 + rng.randint(4, 9) * 40 + 24
    return PageLayout(rng.randint(40, 160), links=tuple(links), height=top + 200)
