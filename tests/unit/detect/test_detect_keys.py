"""Key timing beyond runs of fast keys: how long keys are held and how even their beat is."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from notai.detect import SCORE_BOT, Assessment, assess, new_state, observe
from notai.detect.keys import (
    DWELL,
    SHIFTLESS,
    UNIFORM,
    machine_key_dwell,
    shiftless_capitals,
    uniform_keystroke_cadence,
)
from notai.events import Environment, KeySample, Message
from unit.detect.detect_strategies import CHROME_UA, SessionBuilder, human_gaps

PROPERTY = settings(max_examples=80, deadline=None)
TYPING_FAMILY = {"machine_typing_cadence", "machine_key_dwell", "uniform_keystroke_cadence"}


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


def typed(gaps: Sequence[int], holds: Sequence[int]) -> SessionBuilder:
    downs = [0]
    for gap in gaps:
        downs.append(downs[-1] + gap)
    keys: list[KeySample] = [(d, d + h, "letter") for d, h in zip(downs, holds, strict=True)]
    builder = SessionBuilder().init().key_samples(keys, duration=downs[-1] + holds[-1])
    return builder.text(len(keys))


# --- dwell ---------------------------------------------------------------------------------------


def test_keys_released_at_once_are_flagged_below_the_bot_band() -> None:
    n = 30
    result = verdict(typed([120 + (i * 37) % 90 for i in range(n - 1)], [2] * n).messages)

    assert result.flags == ("machine_key_dwell",)
    assert result.bot_score < SCORE_BOT
    assert result.evidence["machine_key_dwell"]["short_keys"] == n


def test_people_holding_keys_are_not_flagged() -> None:
    rng = random.Random(5)
    holds = [rng.randint(55, 160) for _ in range(60)]

    assert verdict(typed(human_gaps(rng, 59), holds).messages).flags == ()


def test_a_few_short_presses_among_many_are_not_flagged() -> None:
    rng = random.Random(6)
    holds = [10 if i % 4 == 0 else rng.randint(60, 140) for i in range(60)]

    assert "machine_key_dwell" not in verdict(typed(human_gaps(rng, 59), holds).messages).flags


def test_on_screen_keyboards_are_not_judged_for_dwell() -> None:
    phone = Environment(userAgent=CHROME_UA.replace("Windows NT 10.0", "Linux; Android 14"))
    builder = SessionBuilder().init(phone)
    builder.key_samples([(i * 220, i * 220 + 3, "other") for i in range(40)], duration=9000)

    assert "machine_key_dwell" not in verdict(builder.messages).flags


@PROPERTY
@given(st.integers(0, 80), st.integers(0, 80))
def test_more_short_keys_never_lower_the_dwell_strength(n: int, extra: int) -> None:
    def strength(count: int) -> float:
        holds = [3] * count + [90] * 10
        gaps = [150 + (i * 53) % 120 for i in range(len(holds) - 1)]
        found = machine_key_dwell(observe(new_state(), typed(gaps, holds).messages))
        return 0.0 if found is None else found.strength

    assert 0.0 <= strength(n) <= strength(n + extra) <= DWELL.max_strength


# --- even beat -----------------------------------------------------------------------------------


def test_a_fixed_delay_is_an_even_beat_even_with_pauses_between_fields() -> None:
    builder = SessionBuilder().init()
    for _ in range(4):
        builder.keys([60] * 14, hold_ms=30).text(15).wait(700)

    result = verdict(builder.messages)

    assert "uniform_keystroke_cadence" in result.flags
    assert set(result.flags) <= TYPING_FAMILY
    evidence = result.evidence["uniform_keystroke_cadence"]
    assert int(evidence["even_pairs"]) >= UNIFORM.min_even_share * int(evidence["pairs"])


@PROPERTY
@given(st.integers(30, 400), st.integers(21, 120), st.integers(0, 2**32))
def test_any_metronome_is_flagged(beat: int, keys: int, seed: int) -> None:
    rng = random.Random(seed)
    gaps = [beat + rng.randint(-1, 1) for _ in range(keys - 1)]

    found = uniform_keystroke_cadence(observe(new_state(), typed(gaps, [40] * keys).messages))

    assert found is not None
    assert UNIFORM.min_strength <= found.strength <= UNIFORM.max_strength


@PROPERTY
@given(st.integers(0, 2**32), st.integers(21, 200))
def test_a_human_rhythm_is_never_even(seed: int, keys: int) -> None:
    rng = random.Random(seed)
    gaps = [round(rng.lognormvariate(5.2, 0.45)) for _ in range(keys - 1)]
    holds = [rng.randint(60, 150) for _ in range(keys)]

    assert uniform_keystroke_cadence(observe(new_state(), typed(gaps, holds).messages)) is None


def test_a_held_key_repeating_is_not_a_beat() -> None:
    # Auto-repeat: the same key, keydowns every 33 ms, never released in between.
    repeats: list[KeySample] = [(i * 33, -1, "backspace") for i in range(40)]
    builder = SessionBuilder().init().key_samples(repeats, duration=1400)

    assert verdict(builder.messages).flags == ()


# --- capitals without Shift ----------------------------------------------------------------------


def typed_with_capitals(shiftless_per_batch: Sequence[int]) -> SessionBuilder:
    """Human-timed batches of keys, each reporting some capitals typed without Shift."""
    rng = random.Random(11)
    builder = SessionBuilder().init()
    for shiftless in shiftless_per_batch:
        builder.keys(human_gaps(rng, 14), shiftless=shiftless).wait(2000)
    return builder


def test_capitals_typed_without_shift_are_flagged_below_the_bot_band() -> None:
    result = verdict(typed_with_capitals([1, 0, 2, 1]).messages)

    assert result.flags == ("shiftless_capitals",)
    assert SHIFTLESS.min_strength <= result.bot_score < SCORE_BOT
    evidence = result.evidence["shiftless_capitals"]
    assert evidence["shiftless_capitals"] == 4
    assert evidence["keys"] == 60
    assert "neither Shift nor Caps Lock" in str(evidence["explanation"])


def test_one_or_two_odd_capitals_are_not_flagged() -> None:
    assert verdict(typed_with_capitals([1, 0, 1]).messages).flags == ()


def test_on_screen_keyboards_are_not_judged_for_capitals() -> None:
    phone = Environment(userAgent=CHROME_UA.replace("Windows NT 10.0", "Linux; Android 14"))
    builder = SessionBuilder().init(phone).keys([200] * 30, shiftless=8)

    assert "shiftless_capitals" not in verdict(builder.messages).flags


def test_capitals_without_shift_are_their_own_family() -> None:
    # With machine-timed keys as well, the two findings add up: neither explains the other.
    builder = SessionBuilder().init().keys([150] * 40, hold_ms=2, shiftless=5)
    result = verdict(builder.messages)

    assert {"shiftless_capitals", "machine_key_dwell"} <= set(result.flags)
    assert result.bot_score > max(SHIFTLESS.max_strength, DWELL.max_strength)


@PROPERTY
@given(st.lists(st.integers(0, 4), min_size=1, max_size=12), st.integers(0, 20))
def test_more_shiftless_capitals_never_lower_the_strength(batches: list[int], extra: int) -> None:
    def strength(counts: list[int]) -> float:
        found = shiftless_capitals(observe(new_state(), typed_with_capitals(counts).messages))
        return 0.0 if found is None else found.strength

    assert 0.0 <= strength(batches) <= strength([*batches, extra]) <= SHIFTLESS.max_strength
