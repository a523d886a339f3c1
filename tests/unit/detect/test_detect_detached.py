"""detached_pointer: the page's pointer and the screen's pointer in two places at once."""

from __future__ import annotations

from collections.abc import Sequence

from notai.detect import SCORE_BOT, Assessment, assess, new_state, observe
from notai.detect.signals import DETACHED
from notai.events import Message, MouseMove
from unit.detect.detect_strategies import SessionBuilder

TARGETS = [(320, 240), (330, 480), (600, 250), (340, 700), (1300, 420)]
RESTING = (950, 443)
"""Where the screen's own pointer rests while software works the page."""


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


def lone_sample(x: int, y: int) -> MouseMove:
    return MouseMove(seq=0, t=0, samples=[(0, x, y)], coalesced=1)


def press_with_resting_pointer_seen(
    builder: SessionBuilder, x: int, y: int, spot: tuple[int, int] = RESTING
) -> SessionBuilder:
    """Move to (x, y) and press; the page's change shows the screen's pointer before release."""
    builder.move_to(x, y).wait(120).click(phases=("down",))
    builder.append(lone_sample(*spot))
    return builder.click(x, y, phases=("up", "click")).wait(600)


def test_a_pointer_seen_resting_elsewhere_at_every_press_is_flagged_in_the_bot_band() -> None:
    builder = SessionBuilder().init()
    for x, y in TARGETS:
        press_with_resting_pointer_seen(builder, x, y)

    result = verdict(builder.messages)

    assert result.flags[0] == "detached_pointer"
    assert result.bot_score >= DETACHED.strength >= SCORE_BOT
    evidence = result.evidence["detached_pointer"]
    assert evidence["returns"] == len(TARGETS)
    assert (evidence["spot_x"], evidence["spot_y"]) == RESTING
    assert evidence["at_that_spot"] == len(TARGETS)
    assert "(950, 443)" in str(evidence["explanation"])


def test_movement_going_on_from_the_press_also_shows_the_return() -> None:
    builder = SessionBuilder().init()
    for x, y in TARGETS[:3]:
        builder.move_to(x, y).wait(120).click()
        builder.append(lone_sample(*RESTING))
        # The injected pointer carries on from the press, not from the far sample.
        builder.append(MouseMove(seq=0, t=0, samples=[(0, x + 1, y + 2), (16, x + 9, y + 20)]))
        builder.x, builder.y = x + 9, y + 20

    assert observe(new_state(), builder.messages).detached.returns == 3
    assert "detached_pointer" in verdict(builder.messages).flags


def test_one_return_is_not_enough() -> None:
    builder = SessionBuilder().init()
    press_with_resting_pointer_seen(builder, *TARGETS[0])
    for x, y in TARGETS[1:]:
        builder.move_and_click(x, y).wait(600)

    assert observe(new_state(), builder.messages).detached.returns == 1
    assert verdict(builder.messages).flags == ()


def test_a_pointer_that_went_to_the_far_spot_is_not_flagged() -> None:
    # After a press the pointer shows up far away (it left the page and came back there)
    # and moves on from there: one pointer, travelling.
    builder = SessionBuilder().init()
    for x, y in TARGETS:
        builder.move_and_click(x, y).wait(400)
        far_x, far_y = x + 400, y + 150
        builder.append(MouseMove(seq=0, t=0, samples=[(0, far_x, far_y), (16, far_x - 8, far_y)]))
        builder.x, builder.y = far_x - 8, far_y

    assert observe(new_state(), builder.messages).detached.returns == 0
    assert verdict(builder.messages).flags == ()


def test_a_pointer_back_from_outside_the_page_is_judged_only_after_a_press() -> None:
    # Movement reached the page's edge and left it; a far sample and a sample back at the
    # edge are what a pointer leaving and re-entering the window (or a remote desktop's
    # recorder) can show: nothing was pressed there, so nothing is judged.
    builder = SessionBuilder().init()
    for x, _ in TARGETS:
        builder.move_to(x, 0).wait(300)
        builder.append(lone_sample(*RESTING))
        builder.append(MouseMove(seq=0, t=0, samples=[(0, x, 0), (16, x + 5, 12)]))
        builder.x, builder.y = x + 5, 12

    assert observe(new_state(), builder.messages).detached.returns == 0


def test_the_window_losing_focus_between_ends_the_comparison() -> None:
    # A person clicks, leaves the window (its pointer seen on the way), and clicks the same
    # button again after coming back: the pointer moved unseen, the return proves nothing.
    builder = SessionBuilder().init()
    for x, y in TARGETS:
        builder.move_to(x, y).wait(120).click()
        builder.append(lone_sample(*RESTING))
        builder.focus("blur").wait(3_000).focus("focus").click(x + 1, y)

    assert observe(new_state(), builder.messages).detached.returns == 0


def test_a_touch_between_ends_the_comparison() -> None:
    # A tap moves no mouse pointer we can follow: what comes after says nothing of before.
    builder = SessionBuilder().init()
    for x, y in TARGETS:
        builder.move_to(x, y).wait(120).click()
        builder.append(lone_sample(*RESTING))
        builder.touch_tap(*RESTING).click(x, y)

    assert observe(new_state(), builder.messages).detached.returns == 0
