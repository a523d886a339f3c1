"""Scroll jumps, impossible reading times, paste then submit, and coalesced pointer samples."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from notai.detect import SCORE_MEDIUM, Assessment, assess, new_state, observe
from notai.detect.behaviour import PACE
from notai.events import FormSubmit, Input, Message, MouseMove, Navigation, Scroll
from unit.detect.detect_strategies import SessionBuilder

PROPERTY = settings(max_examples=60, deadline=None)


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


def jump(builder: SessionBuilder, y: int) -> SessionBuilder:
    return builder.append(Scroll(seq=0, t=0, samples=[(0, 0, y)]), t=builder.t)


def answer(builder: SessionBuilder, field: str) -> SessionBuilder:
    return builder.append(Input(seq=0, t=0, field=field, delta=0, length=1), t=builder.t)


def submit(builder: SessionBuilder) -> SessionBuilder:
    return builder.append(FormSubmit(seq=0, t=0, form="quiz", fields=9), t=builder.t)


# --- scroll jumps --------------------------------------------------------------------------------


def test_the_page_jumping_with_nothing_before_it_is_weak_evidence() -> None:
    builder = jump(SessionBuilder().init(), 0)
    for y in (900, 1800, 300, 1500):
        jump(builder.wait(2500), y)

    result = verdict(builder.messages)

    assert result.flags == ("scroll_jumps",)
    assert result.bot_score < SCORE_MEDIUM
    assert result.evidence["scroll_jumps"]["jumps"] == 4


def test_wheel_steps_are_not_jumps() -> None:
    builder = SessionBuilder().init()
    for _ in range(10):
        builder.scroll().wait(400)

    assert observe(new_state(), builder.messages).scroll.jumps == 0


@PROPERTY
@given(st.booleans())
def test_a_tab_key_explains_the_jump_whenever_its_message_arrives(late: bool) -> None:
    builder = jump(SessionBuilder().init(), 0)
    for y in (900, 1800, 300, 1500):
        builder.wait(2500)
        pressed_at = builder.t
        builder.wait(20)
        if late:
            jump(builder, y).keys([])
            keys = builder.messages.pop()
            builder.append(keys, t=pressed_at)  # sent after the jump, timed before it
        else:
            builder.append(SessionBuilder(pressed_at).keys([]).messages[0], t=pressed_at)
            jump(builder, y)

    assert observe(new_state(), builder.messages).scroll.jumps == 0


# --- reading time --------------------------------------------------------------------------------


def quiz(ms_per_answer: int, answers: int) -> list[Message]:
    builder = SessionBuilder().init()
    for i in range(answers):
        answer(builder.wait(ms_per_answer), f"q{i}")
    return submit(builder.wait(10)).messages


def test_a_quiz_answered_faster_than_it_can_be_read_is_flagged() -> None:
    result = verdict(quiz(150, 9))

    assert result.flags == ("reading_time_impossible",)
    assert result.evidence["reading_time_impossible"]["fields_answered"] == 9
    assert result.bot_score >= SCORE_MEDIUM


@PROPERTY
@given(st.integers(PACE.min_ms_per_field + 1, 60_000), st.integers(1, 30))
def test_answers_at_a_readable_pace_are_never_flagged(ms_per_answer: int, answers: int) -> None:
    assert verdict(quiz(ms_per_answer, answers)).flags == ()


def test_a_new_page_starts_the_clock_and_the_answers_again() -> None:
    builder = SessionBuilder().init()
    for i in range(6):
        answer(builder.wait(3000), f"q{i}")
    builder.append(Navigation(seq=0, t=0, url="https://lms.example.edu/next", kind="load"))
    started = builder.t - 10
    answer(builder.wait(100), "q9")

    state = observe(new_state(), builder.messages)

    assert len(state.pace.fields) == 1
    assert state.pace.start_t == started


# --- paste, then submit --------------------------------------------------------------------------


def test_pasting_an_answer_and_submitting_is_never_reported_alone() -> None:
    builder = SessionBuilder().init().wait(60_000).paste(400)
    submit(builder.wait(2000))

    state = observe(new_state(), builder.messages)

    assert state.pace.paste_submits == 1
    assert verdict(builder.messages).flags == ()


# --- coalesced samples ---------------------------------------------------------------------------


def test_moves_without_coalesced_samples_are_flagged_below_the_bot_band() -> None:
    builder = SessionBuilder().init()
    for i in range(12):
        samples = [(k * 16, 100 + i * 30 + k, 200 + k) for k in range(5)]
        builder.append(MouseMove(seq=0, t=0, samples=samples, coalesced=0), t=builder.t)
        builder.wait(300)

    result = verdict(builder.messages)

    assert result.flags == ("pointer_without_coalesced_events",)
    assert result.bot_score < 0.7


# --- text set from code ------------------------------------------------------------------------


def test_values_set_from_code_are_text_without_keys_counted_once() -> None:
    builder = SessionBuilder().init()
    for field, length in (("short_1", 14), ("short_2", 12), ("essay", 80)):
        builder.text(length, "", field=field, trusted=False)

    result = verdict(builder.messages)

    assert result.flags == ("text_without_keystrokes",)
    assert result.evidence["text_without_keystrokes"]["scripted_chars"] == 106
    assert result.bot_score < 0.7
