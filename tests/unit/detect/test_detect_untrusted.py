"""untrusted_input: events the browser marked isTrusted=false."""

from __future__ import annotations

from collections.abc import Sequence

from notai.detect import SCORE_BOT, SCORE_MEDIUM, Assessment, assess, new_state, observe
from notai.detect.signals import UNTRUSTED
from notai.events import Message, MouseMove
from unit.detect.detect_strategies import SessionBuilder


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


def test_untrusted_keys_are_a_bot() -> None:
    builder = SessionBuilder().init().move_and_click(300, 200)
    keys_t = builder.t
    builder.keys([180, 210, 150], untrusted=4)

    result = verdict(builder.messages)

    assert result.flags == ("untrusted_input",)
    assert result.bot_score >= SCORE_BOT
    assert result.evidence["untrusted_input"]["keys"] == 4
    assert result.evidence["untrusted_input"]["first_ms"] == keys_t


def test_untrusted_mouse_down_and_up_are_a_bot() -> None:
    messages = SessionBuilder().init().click(500, 300, trusted=False).messages

    result = verdict(messages)

    assert result.flags == ("untrusted_input",)
    assert result.bot_score >= SCORE_BOT
    assert result.evidence["untrusted_input"]["pointer_presses"] == 2
    assert result.evidence["untrusted_input"]["bare_clicks"] == 1


def test_a_page_calling_element_click_a_few_times_is_not_flagged() -> None:
    builder = SessionBuilder().init()
    for i in range(UNTRUSTED.min_weak_events - 1):
        builder.move_and_click(100 + 90 * i, 400)
        builder.click(0, 0, pointer="keyboard", trusted=False, phases=("click",))

    result = verdict(builder.messages)

    assert result.flags == ()
    assert result.bot_score == 0.0


def test_many_script_made_clicks_and_scrolls_stay_weak() -> None:
    builder = SessionBuilder().init()
    for _ in range(UNTRUSTED.min_weak_events):
        builder.click(0, 0, pointer="", trusted=False, phases=("click",)).scroll(trusted=False)

    result = verdict(builder.messages)

    assert result.flags == ("untrusted_input",)
    assert 0.0 < result.bot_score < SCORE_MEDIUM
    assert result.evidence["untrusted_input"]["bare_clicks"] == UNTRUSTED.min_weak_events
    assert result.evidence["untrusted_input"]["scrolls"] == UNTRUSTED.min_weak_events


def test_untrusted_moves_inputs_and_touches_count_as_weak_evidence() -> None:
    builder = SessionBuilder().init()
    builder.append(MouseMove(seq=0, t=0, samples=[(0, 10, 10), (16, 30, 12)], trusted=False))
    builder.text(0, trusted=False).text(-3, trusted=False)  # inputs that add no text
    builder.append(MouseMove(seq=0, t=0, samples=[(0, 40, 10)], trusted=False))
    builder.text(0, "", trusted=False)

    result = verdict(builder.messages)

    evidence = result.evidence["untrusted_input"]
    assert (evidence["moves"], evidence["inputs"]) == (2, 3)
    assert result.bot_score < SCORE_MEDIUM


def test_untrusted_moves_are_no_pointer_trail() -> None:
    builder = SessionBuilder().init().click(100, 100)
    for i in range(1, 5):
        builder.append(MouseMove(seq=0, t=0, samples=[(0, 100 + 150 * i, 300)], trusted=False))
        builder.click(100 + 150 * i, 300)

    state = observe(new_state(), builder.messages)

    assert state.pointer.trailless == 4


def test_trusted_input_is_not_flagged() -> None:
    builder = SessionBuilder().init().move_and_click(300, 200)
    builder.keys([180, 210, 150]).text(4).scroll()

    assert verdict(builder.messages).flags == ()
