"""click_without_pointer_trail: clicks the pointer never travelled to."""

from __future__ import annotations

from collections.abc import Sequence

from notai.detect import SCORE_MEDIUM, Assessment, assess, new_state, observe
from notai.detect.signals import CLICK_TRAIL
from notai.events import Message, MouseMove, Navigation
from unit.detect.detect_strategies import SessionBuilder

NEXT_PAGE = "https://lms.example.edu/courses/7/quizzes/3?page=2"
TARGETS = [(120, 640), (880, 210), (430, 515), (1500, 90), (760, 760), (60, 60), (1200, 400)]


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


def teleporting_clicks(n: int) -> SessionBuilder:
    """A first click, then `n` more at other places with no movement between."""
    builder = SessionBuilder().init().click(900, 500)
    for x, y in TARGETS[:n]:
        builder.wait(700).click(x, y)
    return builder


def test_clicks_reached_by_curved_paths_are_not_flagged() -> None:
    builder = SessionBuilder().init()
    for x, y in TARGETS:
        builder.move_and_click(x, y).wait(900)

    result = verdict(builder.messages)

    assert result.flags == ()
    assert observe(new_state(), builder.messages).pointer.judged == len(TARGETS)


def test_several_clicks_that_jump_are_flagged_below_the_bot_band() -> None:
    builder = teleporting_clicks(CLICK_TRAIL.min_clicks + 2)

    result = verdict(builder.messages)

    assert result.flags == ("click_without_pointer_trail",)
    assert SCORE_MEDIUM <= result.bot_score == CLICK_TRAIL.strength
    evidence = result.evidence["click_without_pointer_trail"]
    assert evidence["clicks_without_trail"] == CLICK_TRAIL.min_clicks + 2
    assert evidence["mouse_clicks"] == CLICK_TRAIL.min_clicks + 3  # down/up/click is one


def test_one_jump_is_weak() -> None:
    one = verdict(teleporting_clicks(1).messages)
    two = verdict(teleporting_clicks(2).messages)
    enough = verdict(teleporting_clicks(CLICK_TRAIL.min_clicks).messages)

    assert 0.0 < one.bot_score < two.bot_score < enough.bot_score
    assert one.bot_score < SCORE_MEDIUM


def test_a_first_click_without_movement_is_not_judged() -> None:
    # The pointer may already rest on the button when the page loads.
    state = observe(new_state(), SessionBuilder().init().click(640, 480).messages)

    assert (state.pointer.gestures, state.pointer.judged) == (1, 0)


def test_one_odd_click_among_many_with_trails_is_not_flagged() -> None:
    builder = SessionBuilder().init()
    for x, y in TARGETS:
        builder.move_and_click(x, y)
    builder.wait(400).click(300, 300)

    assert verdict(builder.messages).flags == ()


def test_double_clicks_and_clicking_the_same_button_again_are_not_flagged() -> None:
    builder = SessionBuilder().init()
    for x, y in TARGETS[:3]:
        builder.move_and_click(x, y).click().wait(2_000).click(x + 2, y - 1).click()

    result = verdict(builder.messages)

    assert result.flags == ()


def test_keyboard_activated_clicks_are_an_accessibility_path() -> None:
    builder = SessionBuilder().init()
    for _ in range(8):
        builder.keys([]).wait(500).click(0, 0, pointer="keyboard", phases=("click",))
    builder.move_and_click(500, 500)
    for _ in range(8):
        builder.keys([]).wait(500).click(0, 0, pointer="keyboard", phases=("click",))

    assert verdict(builder.messages).flags == ()


def test_touch_taps_are_not_judged() -> None:
    builder = SessionBuilder().init()
    for x, y in TARGETS:
        builder.touch_tap(x, y).wait(800)

    result = verdict(builder.messages)

    assert result.flags == ()
    assert observe(new_state(), builder.messages).pointer.judged == 0


def test_pen_and_right_clicks_lose_track_of_the_pointer() -> None:
    builder = SessionBuilder().init().click(100, 100)
    builder.click(200, 200, pointer="pen").click(300, 300)  # after the pen: unknown
    builder.click(400, 400, button=2).click(500, 500)  # after a context menu: unknown

    state = observe(new_state(), builder.messages)

    assert state.pointer.trailless == 1  # the right click itself jumped from (300, 300)


def test_clicks_after_the_window_lost_focus_are_not_judged() -> None:
    builder = SessionBuilder().init()
    for x, y in TARGETS[:4]:
        # alt-tab away and back: the pointer moved over another window
        builder.move_and_click(x, y).focus("blur").wait(3_000).focus("focus").click(x + 300, y)

    assert verdict(builder.messages).flags == ()


def test_a_full_page_load_loses_track_of_the_pointer() -> None:
    builder = SessionBuilder().init().click(100, 100)
    builder.append(Navigation(seq=0, t=0, url=NEXT_PAGE, kind="load")).click(700, 100)

    assert observe(new_state(), builder.messages).pointer.judged == 0


def test_movement_delivered_after_the_click_still_counts_as_its_trail() -> None:
    # The pixel may flush buffered pointer samples after the click it sends at once.
    builder = SessionBuilder().init().click(100, 100).wait(500)
    click_t = builder.t
    builder.click(700, 400)
    path = [(-300 + 20 * i, 100 + 40 * i, 100 + 20 * i) for i in range(15)]
    builder.append(MouseMove(seq=0, t=0, samples=path), t=click_t)

    state = observe(new_state(), builder.messages)

    assert (state.pointer.judged, state.pointer.trailless, state.pointer.pending_t) == (1, 0, 0)
    assert verdict(builder.messages).flags == ()


def test_movement_after_the_click_does_not_excuse_it() -> None:
    builder = teleporting_clicks(CLICK_TRAIL.min_clicks).wait(100).move_to(50, 50)

    assert verdict(builder.messages).flags == ("click_without_pointer_trail",)
