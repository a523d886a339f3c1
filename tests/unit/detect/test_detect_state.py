"""The public surface, the stored state, and scores with no evidence."""

from __future__ import annotations

import math

import msgspec
import pytest

import notai.detect
from notai.detect import (
    SCORE_BOT,
    SCORE_MEDIUM,
    DetectorState,
    assess,
    decode_state,
    encode_state,
    fold,
    new_state,
    observe,
)
from notai.detect.behaviour import PACE
from notai.detect.score import combine
from notai.detect.signals import Finding
from notai.detect.state import MAX_AUTOMATION_NAMES, MAX_NAME_LENGTH
from notai.detect.tracking import MAX_PENDING
from notai.events import MAX_STRING, Environment, Size
from unit.detect.detect_strategies import SessionBuilder

MAX_STATE_BYTES = 3072


def test_the_public_surface() -> None:
    assert sorted(notai.detect.__all__) == sorted(
        [
            "Assessment",
            "DetectorState",
            "SCORE_BOT",
            "SCORE_MEDIUM",
            "assess",
            "decode_state",
            "encode_state",
            "explain",
            "explanations",
            "fold",
            "new_state",
            "observe",
        ]
    )
    assert (SCORE_MEDIUM, SCORE_BOT) == (0.4, 0.7)


def test_a_new_session_scores_zero() -> None:
    result = assess(new_state())

    assert (result.bot_score, result.flags, result.evidence) == (0.0, (), {})


def test_a_session_of_only_housekeeping_scores_zero() -> None:
    builder = SessionBuilder().init().focus("visible").wait(30_000).scroll().focus("hidden")

    assert assess(observe(new_state(), builder.messages)).bot_score == 0.0


def test_new_states_share_nothing() -> None:
    first, second = new_state(), new_state()
    first.typing.keys = 5

    assert second.typing.keys == 0


def test_observing_nothing_changes_nothing() -> None:
    state = observe(new_state(), SessionBuilder().init(Environment(webdriver=True)).messages)

    assert observe(state, []) == state


def test_fold_updates_in_place_what_observe_returns_as_a_copy() -> None:
    messages = SessionBuilder().init().move_to(300, 200).click().keys([120, 95, 140]).messages
    state = new_state()

    fold(state, messages)

    assert state == observe(new_state(), messages)
    assert state.messages == len(messages)
    assert state.typing.keys == 4


def test_garbage_is_not_a_state() -> None:
    with pytest.raises(msgspec.DecodeError):
        decode_state(b"\x93not a state")


def test_a_state_from_an_older_version_without_some_fields_still_decodes() -> None:
    older = msgspec.msgpack.encode({"version": 1, "messages": 3})

    state = decode_state(older)

    assert state.messages == 3
    assert assess(state).bot_score == 0.0


def test_fields_at_their_defaults_are_left_out_of_the_stored_form() -> None:
    state = new_state()
    state.key_timing.gap_sum = float("0")  # equal to the default, not the same object
    state.key_timing.gaps = 2

    stored = msgspec.msgpack.decode(encode_state(state))

    assert stored["key_timing"] == {"gaps": 2}
    assert stored["clicks"] == {}
    assert "version" not in stored


def test_a_negative_zero_is_stored_with_its_sign() -> None:
    state = new_state()
    state.clicks.centred_log10_chance = -0.0

    stored = msgspec.msgpack.decode(encode_state(state))

    assert math.copysign(1.0, stored["clicks"]["centred_log10_chance"]) == -1.0
    assert math.copysign(1.0, decode_state(encode_state(state)).clicks.centred_log10_chance) == -1


def test_the_largest_possible_state_is_small() -> None:
    builder = SessionBuilder()
    for i in range(MAX_AUTOMATION_NAMES + 4):
        builder.init(Environment(automation=[f"{i:02d}" + "x" * MAX_STRING]))
    odd = Environment(
        userAgent="Mozilla/5.0 (Windows NT 10.0) Chrome/1 Android HeadlessChrome/1",
        platform="Linux",
        brands=["Firefox"],
        screen=Size(w=0, h=0),
        webglRenderer="SwiftShader " * 100,
        cdpArtefacts=True,
    )
    builder.init(odd).text(10_000_000, field="f" * 256).wait(10**11)
    builder.keys([1] * 500, hold_ms=1, shiftless=1_000_000)
    for i in range(PACE.max_fields + 10):  # answers to more fields than are remembered
        builder.text(1, field=f"{i:03d}" + "q" * 200)
    for i in range(MAX_PENDING + 4):  # presses out of silence, all pending
        builder.wait(5000).move_to(100 + 300 * (i % 2), 100, steps=1).click()
    state = observe(new_state(), builder.messages)

    assert all(len(name) == MAX_NAME_LENGTH for name in state.env.automation_names)
    assert len(state.pace.fields) == PACE.max_fields
    assert len(state.activity.pending) == MAX_PENDING
    assert len(encode_state(state)) < MAX_STATE_BYTES


def test_noisy_or_never_averages() -> None:
    def finding(flag: str, strength: float, family: str) -> Finding:
        return Finding(flag, strength, {}, family)

    strong = finding("webdriver", 0.98, "webdriver")
    weak = finding("click_without_pointer_trail", 0.15, "hands_free")
    same_family = finding("text_without_keystrokes", 0.6, "hands_free")

    assert combine([]) == 0.0
    assert combine([strong, weak]) > combine([strong])
    assert combine([weak, same_family]) == combine([same_family])
    assert combine([weak, finding("untrusted_input", 0.6, "untrusted_input")]) == pytest.approx(
        1 - 0.85 * 0.4
    )


def test_an_empty_state_is_stored_in_a_few_bytes() -> None:
    stored = encode_state(new_state())

    assert len(stored) < 128
    assert isinstance(decode_state(stored), DetectorState)
