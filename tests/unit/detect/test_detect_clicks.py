"""Where presses land and how the pointer got there: centre precision, teleports, silence."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from notai.detect import SCORE_BOT, SCORE_MEDIUM, Assessment, assess, new_state, observe
from notai.detect.behaviour import (
    CENTRE,
    COLD,
    TELEPORT,
    centre_chance,
    centre_precision_clicks,
)
from notai.events import Box, Message, MouseClick, MouseMove, PointerKind
from unit.detect.detect_strategies import ClickPhase, SessionBuilder

PROPERTY = settings(max_examples=60, deadline=None)
BUTTONS = [(300, 200), (620, 460), (180, 700), (900, 330), (450, 520), (760, 140)]


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


def press(builder: SessionBuilder, x: int, y: int, box: Box) -> SessionBuilder:
    """down, up and click at (x, y) on `box`, as the pixel reports a mouse click."""
    for phase in ("down", "up", "click"):
        message = MouseClick(seq=0, t=0, phase=phase, x=x, y=y, target=box)
        builder.append(message, t=builder.t)
        builder.t += 30
    builder.x, builder.y = x, y
    return builder


def jump_to(builder: SessionBuilder, x: int, y: int) -> SessionBuilder:
    """One pointer sample at (x, y): how automation moves before it clicks."""
    builder.append(MouseMove(seq=0, t=0, samples=[(0, x, y)], coalesced=1), t=builder.t)
    builder.t += 2
    builder.x, builder.y = x, y
    return builder


def centred(x: int, y: int, w: int = 120, h: int = 40) -> Box:
    return Box(x=x - w // 2, y=y - h // 2, w=w, h=h)


def scripted_clicks(n: int, *, think_ms: int = 300) -> SessionBuilder:
    """Playwright's page.click: a jump to the target's centre, then a press, `n` times."""
    builder = SessionBuilder().init()
    for x, y in (BUTTONS * 3)[:n]:
        builder.wait(think_ms)
        press(jump_to(builder, x, y), x, y, centred(x, y))
    return builder


def aimed_clicks(n: int) -> SessionBuilder:
    """A person: a curved path to a spot off the centre, a pause, a press."""
    builder = SessionBuilder().init()
    for i, (x, y) in enumerate((BUTTONS * 3)[:n]):
        builder.move_to(x + 17, y - 6).wait(150)
        press(builder, x + 17, y - 6, centred(x, y)).wait(900 + 37 * i)
    return builder


# --- centre precision ----------------------------------------------------------------------------


def test_people_aiming_off_centre_are_not_flagged() -> None:
    assert verdict(aimed_clicks(12).messages).flags == ()


def test_presses_on_the_exact_centre_again_and_again_are_flagged() -> None:
    result = verdict(scripted_clicks(6).messages)

    assert "centre_precision_clicks" in result.flags
    evidence = result.evidence["centre_precision_clicks"]
    assert evidence["centred_clicks"] == evidence["clicks_judged"] == 6
    assert int(evidence["chance_1_in"]) >= 10**CENTRE.min_surprise


def test_small_targets_are_hit_in_the_centre_by_chance_so_need_more_presses() -> None:
    assert centre_chance(13, 13) > centre_chance(120, 40) > centre_chance(700, 110)


def test_the_page_itself_is_not_a_target() -> None:
    builder = SessionBuilder().init()
    for x, y in BUTTONS:
        press(jump_to(builder.wait(400), x, y), x, y, Box(x=x - 900, y=y - 1200, w=1800, h=2400))

    assert "centre_precision_clicks" not in verdict(builder.messages).flags


@PROPERTY
@given(st.integers(0, 12), st.integers(0, 12))
def test_more_centred_presses_never_lower_the_strength(n: int, extra: int) -> None:
    def strength(count: int) -> float:
        found = centre_precision_clicks(observe(new_state(), scripted_clicks(count).messages))
        return 0.0 if found is None else found.strength

    assert 0.0 <= strength(n) <= strength(n + extra) < SCORE_BOT


# --- teleports -----------------------------------------------------------------------------------


def test_presses_reached_in_one_jump_are_teleports() -> None:
    result = verdict(scripted_clicks(5).messages)

    evidence = result.evidence["teleport_clicks"]
    assert int(evidence["teleport_clicks"]) >= TELEPORT.min_clicks
    assert int(evidence["longest_jump_px"]) >= TELEPORT.min_step_px


def test_a_hand_that_slows_onto_the_target_is_no_teleport() -> None:
    state = observe(new_state(), aimed_clicks(8).messages)

    assert state.clicks.teleports == 0
    assert state.clicks.approached == 8


# --- think, then act -----------------------------------------------------------------------------


def test_presses_out_of_silence_with_no_approach_are_think_then_burst() -> None:
    result = verdict(scripted_clicks(6, think_ms=COLD.silence_ms + 500).messages)

    assert "think_then_burst" in result.flags
    assert int(result.evidence["think_then_burst"]["cold_clicks"]) >= 5


def test_a_person_moving_after_reading_is_not_cold() -> None:
    builder = SessionBuilder().init()
    for x, y in BUTTONS:
        builder.wait(8000).move_to(x, y).wait(120)
        press(builder, x, y, centred(x + 11, y + 5))

    assert observe(new_state(), builder.messages).clicks.cold == 0


def test_pressing_where_the_pointer_rests_is_not_cold() -> None:
    builder = SessionBuilder().init().move_to(500, 500)
    for _ in range(6):
        press(builder.wait(5000), 500, 500, centred(510, 505))

    assert observe(new_state(), builder.messages).clicks.cold == 0


def test_a_key_delivered_late_withdraws_a_cold_press() -> None:
    # The pixel sends keys up to 2.5 s after they were typed, after the next click.
    builder = SessionBuilder().init().move_to(100, 100).click()
    typed_at = builder.t + 3000
    builder.wait(4000)
    press(jump_to(builder, 600, 400), 600, 400, centred(600, 400))
    late = builder.t
    builder.keys([150, 170, 160])
    keys = builder.messages.pop()
    builder.append(keys, t=typed_at)
    builder.t = max(builder.t, late)

    assert observe(new_state(), builder.messages).clicks.cold == 0


def test_agent_jumping_to_centres_out_of_silence_reaches_the_bot_band() -> None:
    # Computed centres (machine aim) agree with jumps out of silence (hands-free).
    result = verdict(scripted_clicks(9, think_ms=4000).messages)

    assert {"centre_precision_clicks", "teleport_clicks", "think_then_burst"} <= set(result.flags)
    assert result.bot_score >= SCORE_BOT


def assistive_press(builder: SessionBuilder, x: int, y: int, box: Box) -> SessionBuilder:
    """A screen reader's or voice control's activation as Chromium delivers it.

    mousedown and mouseup with `detail` 0 (the pixel's `keyboard` kind), then a click that
    poses as the mouse's, all at the control's centre, in the same instant, with no movement.
    """
    sequence: list[tuple[ClickPhase, PointerKind]] = [
        ("down", "keyboard"),
        ("up", "keyboard"),
        ("click", "mouse"),
    ]
    for phase, pointer in sequence:
        message = MouseClick(seq=0, t=0, phase=phase, x=x, y=y, target=box, pointer=pointer)
        builder.append(message, t=builder.t)
    return builder


def test_assistive_activations_out_of_silence_are_not_judged() -> None:
    builder = SessionBuilder().init()
    for x, y in (BUTTONS * 2)[:9]:
        builder.wait(4000)
        assistive_press(builder, x, y, centred(x, y))
    state = observe(new_state(), builder.messages)

    assert (state.clicks.presses, state.pointer.judged) == (0, 0)
    assert assess(state).flags == ()


def test_an_assistive_activation_leaves_the_real_pointer_where_it_was() -> None:
    builder = SessionBuilder().init().move_to(100, 100).wait(500)
    assistive_press(builder, 600, 400, centred(600, 400)).wait(800)
    builder.click()  # the mouse, still at (100, 100), pressed without moving
    state = observe(new_state(), builder.messages)

    assert (state.pointer.judged, state.pointer.trailless) == (1, 0)


def test_mouse_grid_jumps_out_of_silence_stay_below_the_bot_band() -> None:
    # Voice control's mouse grid warps the pointer to a cell, not to the control's centre.
    builder = SessionBuilder().init()
    for i, (x, y) in enumerate((BUTTONS * 2)[:9]):
        builder.wait(4000)
        cell_x, cell_y = x + 23 - 9 * (i % 4), y - 11 + 5 * (i % 3)
        press(jump_to(builder, cell_x, cell_y), cell_x, cell_y, centred(x, y))
    result = verdict(builder.messages)

    assert {"teleport_clicks", "think_then_burst"} <= set(result.flags)
    assert "centre_precision_clicks" not in result.flags
    assert SCORE_MEDIUM <= result.bot_score < SCORE_BOT
