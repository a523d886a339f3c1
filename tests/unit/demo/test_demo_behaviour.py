"""What people and bots do on a page, as the pixel records it."""

from __future__ import annotations

import itertools
import math
import statistics
from collections import Counter

from notai.demo import HUMAN_KINDS
from notai.demo.pixel import HEARTBEAT_MS, HIDDEN_HEARTBEAT_MS
from notai.events import (
    Clipboard,
    Focus,
    FormSubmit,
    Heartbeat,
    Input,
    KeyClass,
    Keypress,
    MouseClick,
    MouseMove,
    Scroll,
    Touch,
)
from unit.demo.demo_samples import default_demo, first_init, keydown_gaps, messages, of_kind

TEXT_KEYS: tuple[KeyClass, ...] = ("letter", "digit", "space", "other")
TYPING_BOTS = ("playwright", "selenium", "agent_synthetic", "agent_keystrokes")
TRAIL_FREE_BOTS = ("headless", "selenium", "agent_insert_text", "agent_synthetic")
AGENTS = ("agent_insert_text", "agent_synthetic", "agent_keystrokes")


def centre(message: MouseClick) -> tuple[int, int]:
    box = message.target
    assert box is not None
    return box.x + box.w // 2, box.y + box.h // 2


# --- typing -------------------------------------------------------------------------------


def test_people_type_with_an_uneven_rhythm() -> None:
    judged = 0
    for session in of_kind(*HUMAN_KINDS):
        gaps = keydown_gaps(session)
        if len(gaps) >= 20:
            judged += 1
            assert statistics.pstdev(gaps) / statistics.mean(gaps) > 0.3
            assert 100 <= statistics.median(gaps) <= 450
    assert judged >= 100


def test_people_hold_keys_for_60_to_140_ms() -> None:
    for session in of_kind(*HUMAN_KINDS):
        for message in messages(session):
            if isinstance(message, Keypress):
                for down, up, key in message.keys:
                    if key in ("letter", "digit", "space", "backspace"):
                        assert 60 <= up - down <= 140


def test_bots_type_faster_than_anyone() -> None:
    judged = 0
    for session in of_kind(*TYPING_BOTS):
        gaps = keydown_gaps(session)
        if gaps:
            judged += 1
            assert max(gaps) < 40
    assert judged >= 20


def test_each_typed_key_changes_the_field_by_one() -> None:
    for session in of_kind("human"):
        keys = Counter(k for m in messages(session) if isinstance(m, Keypress) for *_, k in m.keys)
        inputs = [m for m in messages(session) if isinstance(m, Input)]
        pastes = sum(isinstance(m, Clipboard) for m in messages(session))
        typed = [m for m in inputs if m.inputType == "insertText"]
        deleted = [m for m in inputs if m.inputType == "deleteContentBackward"]
        assert all(m.delta == 1 for m in typed)
        assert all(m.delta == -1 for m in deleted)
        assert len(deleted) == keys["backspace"]
        # The V of each Ctrl+V is a letter key that types nothing.
        assert len(typed) == sum(keys[key] for key in TEXT_KEYS) - pastes


def test_field_lengths_add_up() -> None:
    for session in of_kind(*HUMAN_KINDS):
        lengths: dict[str, int] = {}
        for message in messages(session):
            if isinstance(message, Input):
                lengths[message.field] = lengths.get(message.field, 0) + message.delta
                assert message.length == lengths[message.field] >= 0


def test_people_focus_a_field_before_typing_in_it() -> None:
    for session in of_kind(*HUMAN_KINDS):
        focused: set[str] = set()
        for message in messages(session):
            if isinstance(message, Focus) and message.kind == "focus":
                focused.add(message.field)
            if isinstance(message, Input):
                assert message.field in focused


def test_some_people_paste_a_little() -> None:
    pastes = [m for s in of_kind("human") for m in messages(s) if isinstance(m, Clipboard)]
    assert pastes
    assert all(m.action == "paste" and 1 <= m.length <= 40 for m in pastes)


def test_insert_text_bots_write_whole_answers_without_keys() -> None:
    answers = []
    for session in of_kind("headless", "agent_insert_text"):
        assert not any(isinstance(m, Keypress) for m in messages(session))
        answers += [m.delta for m in messages(session) if isinstance(m, Input)]
    assert answers
    assert min(answers) >= 6


def test_synthetic_events_are_marked_untrusted() -> None:
    for session in of_kind("agent_synthetic"):
        for message in messages(session):
            if isinstance(message, MouseClick | Input):
                assert message.trusted is False
            if isinstance(message, Keypress):
                assert message.untrusted == len(message.keys)


# --- pointing and scrolling -----------------------------------------------------------------


def test_a_mouse_reports_coalesced_samples_every_few_milliseconds() -> None:
    moves = [m for s in of_kind("human") for m in messages(s) if isinstance(m, MouseMove)]
    long_moves = [m for m in moves if len(m.samples) >= 5]
    assert sum(m.coalesced > 0 for m in long_moves) >= 0.9 * len(long_moves)
    intervals = [b[0] - a[0] for m in moves for a, b in itertools.pairwise(m.samples)]
    assert 7 <= statistics.median(intervals) <= 16
    assert all(m.samples[-1][0] <= 500 for m in moves)


def test_a_hand_speeds_up_and_slows_down() -> None:
    varied = judged = 0
    for session in of_kind("human")[:200]:
        for message in messages(session):
            if isinstance(message, MouseMove) and len(message.samples) >= 12:
                speeds = [
                    math.dist(a[1:], b[1:]) / max(1, b[0] - a[0])
                    for a, b in itertools.pairwise(message.samples)
                ]
                judged += 1
                varied += statistics.pstdev(speeds) > 0.3 * statistics.mean(speeds)
    assert judged > 0
    assert varied >= 0.8 * judged


def test_a_person_moves_to_a_target_then_presses_off_centre() -> None:
    off_centre = clicks = 0
    for session in of_kind("human"):
        pointer: tuple[int, int] | None = None
        for message in messages(session):
            if isinstance(message, MouseMove):
                pointer = message.samples[-1][1:]
            if isinstance(message, MouseClick) and message.phase == "down":
                assert pointer is not None
                assert math.dist(pointer, (message.x, message.y)) <= 3
                assert message.target is not None
                assert message.target.x <= message.x <= message.target.x + message.target.w
                clicks += 1
                off_centre += (message.x, message.y) != centre(message)
    assert clicks > 0
    assert off_centre >= 0.9 * clicks


def test_a_click_goes_down_up_and_clicks() -> None:
    for session in of_kind("human", "human_touch", *TRAIL_FREE_BOTS):
        phases = [m.phase for m in messages(session) if isinstance(m, MouseClick)]
        assert phases == ["down", "up", "click"] * (len(phases) // 3)


def test_some_bots_press_dead_centre_without_moving() -> None:
    for session in of_kind(*TRAIL_FREE_BOTS):
        assert not any(isinstance(m, MouseMove) for m in messages(session))
        for message in messages(session):
            if isinstance(message, MouseClick):
                assert (message.x, message.y) == centre(message)


def test_people_scroll_in_small_steps() -> None:
    for session in of_kind(*HUMAN_KINDS):
        position = 0
        for message in messages(session):
            if isinstance(message, Scroll):
                for _, _, y in message.samples:
                    assert abs(y - position) <= 110
                    position = y


def test_keyboard_users_never_touch_a_mouse() -> None:
    clicks = []
    for session in of_kind("human_keyboard_only"):
        assert not any(isinstance(m, MouseMove | Touch) for m in messages(session))
        clicks += [m for m in messages(session) if isinstance(m, MouseClick)]
    assert clicks
    assert all(m.pointer == "keyboard" and m.phase == "click" for m in clicks)


def test_tablet_users_tap_and_swipe() -> None:
    for session in of_kind("human_touch"):
        assert not any(isinstance(m, MouseMove) for m in messages(session))
        clicks = [m for m in messages(session) if isinstance(m, MouseClick)]
        assert all(m.pointer == "touch" for m in clicks)
        touches = Counter(m.phase for m in messages(session) if isinstance(m, Touch))
        assert touches["start"] == touches["end"] >= len(clicks) // 3


# --- pacing and the shape of a visit -----------------------------------------------------


def test_agents_think_in_silence_then_act_in_bursts() -> None:
    for session in of_kind(*AGENTS):
        times = [m.t for m in messages(session) if not isinstance(m, Heartbeat)]
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert max(gaps) >= 4_000
        assert statistics.median(gaps) < 1_000


def test_quizzes_end_with_a_submission() -> None:
    quizzes = [s for s in default_demo() if "/quizzes/" in first_init(s).url]
    for session in quizzes:
        submits = [m for m in messages(session) if isinstance(m, FormSubmit)]
        assert len(submits) == 1 or not session.is_bot  # people sometimes leave unfinished
        for submit in submits:
            assert submit.form == "submit_quiz_form"
            assert submit.fields >= 5
    finished = [s for s in quizzes if any(isinstance(m, FormSubmit) for m in messages(s))]
    assert len(finished) >= 0.7 * len(quizzes)


def test_people_sometimes_switch_tabs_and_come_back() -> None:
    away = 0
    for session in of_kind(*HUMAN_KINDS):
        kinds = [m.kind for m in messages(session) if isinstance(m, Focus)]
        visibility = [kind for kind in kinds if kind in ("hidden", "visible")]
        assert visibility[-1] == "hidden"  # the page is hidden as it closes
        away += "visible" in visibility
    assert away >= 50


def test_an_idle_page_keeps_beating() -> None:
    # A key or pointer batch is sent up to about a second after its `t`, hence the slack.
    for session in default_demo():
        hidden, last = False, None
        for message in messages(session):
            if last is not None:
                limit = HIDDEN_HEARTBEAT_MS if hidden else HEARTBEAT_MS
                assert message.t - last <= limit + 1_500
            if isinstance(message, Focus) and message.kind in ("hidden", "visible"):
                hidden = message.kind == "hidden"
            last = message.t
