"""Properties every assessment keeps, whatever the session."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from notai.detect import (
    SCORE_BOT,
    SCORE_MEDIUM,
    Assessment,
    assess,
    decode_state,
    encode_state,
    new_state,
    observe,
)
from notai.events import Environment, Init, Message
from unit.detect.detect_strategies import (
    BASE_T,
    arbitrary_sessions,
    automated_environments,
    person_sessions,
    plausible_environments,
)

MAX_STATE_BYTES = 2048  # the largest possible state, in test_detect_state, is below it
PROPERTY = settings(max_examples=100, deadline=None)
CORROBORATING = {"software_rendering", "devtools_protocol", "paste_then_submit"}
BEHAVIOURAL_FAMILIES = (
    {
        "click_without_pointer_trail",
        "text_without_keystrokes",
        "centre_precision_clicks",
        "teleport_clicks",
        "think_then_burst",
        "scroll_jumps",
    },
    {"machine_typing_cadence", "machine_key_dwell", "uniform_keystroke_cadence"},
    {"reading_time_impossible"},
    {"shiftless_capitals"},
    {"pointer_without_coalesced_events"},
    {"inconsistent_platform", "headless_environment", "emulated_screen", "frameless_window"},
)


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


@PROPERTY
@given(arbitrary_sessions())
def test_score_is_a_rounded_probability(messages: list[Message]) -> None:
    result = verdict(messages)

    assert 0.0 <= result.bot_score <= 1.0
    assert result.bot_score == round(result.bot_score, 4)
    assert len(set(result.flags)) == len(result.flags)
    assert set(result.evidence) == set(result.flags)
    assert (result.bot_score == 0.0) == (result.flags == ())


@PROPERTY
@given(arbitrary_sessions(), arbitrary_sessions())
def test_observe_does_not_modify_its_input(first: list[Message], later: list[Message]) -> None:
    state = observe(new_state(), first)
    stored = encode_state(state)
    before = decode_state(stored)

    observe(state, [*first, *later])

    assert state == before
    assert encode_state(state) == stored


@PROPERTY
@given(arbitrary_sessions(max_size=80), st.lists(st.integers(0, 80), max_size=6))
def test_batching_does_not_change_the_verdict(messages: list[Message], cuts: list[int]) -> None:
    bounds = [0, *sorted(min(c, len(messages)) for c in cuts), len(messages)]
    state = new_state()
    for start, end in itertools.pairwise(bounds):
        state = decode_state(encode_state(observe(state, messages[start:end])))

    assert state == observe(new_state(), messages)
    assert assess(state) == verdict(messages)


@PROPERTY
@given(arbitrary_sessions(), automated_environments, st.integers(0, 60))
def test_deterministic_evidence_never_lowers_the_score(
    messages: list[Message], env: Environment, position: int
) -> None:
    position = min(position, len(messages))
    before, after = messages[:position], messages[position:]
    t = before[-1].t if before else BASE_T
    init = Init(seq=len(before) + 1, t=t, url="https://lms.example.edu/", env=env)
    # seq stays unique: every later message moves up by one
    with_init = [*before, init, *(replace(m, seq=m.seq + 1) for m in after)]

    plain, automated = verdict(messages), verdict(with_init)

    assert automated.bot_score >= plain.bot_score
    assert automated.bot_score >= SCORE_BOT
    assert set(plain.flags) <= set(automated.flags)


@PROPERTY
@given(arbitrary_sessions())
def test_the_stored_state_round_trips(messages: list[Message]) -> None:
    state = observe(new_state(), messages)

    restored = decode_state(encode_state(state))

    assert restored == state
    assert assess(restored) == assess(state)


@settings(max_examples=25, deadline=None)
@given(arbitrary_sessions(max_size=400))
def test_the_stored_state_stays_small(messages: list[Message]) -> None:
    state = observe(new_state(), messages * 5)

    assert len(encode_state(state)) < MAX_STATE_BYTES


@PROPERTY
@given(person_sessions())
def test_people_are_not_flagged(messages: list[Message]) -> None:
    result = verdict(messages)

    assert result.flags == ()
    assert result.bot_score == 0.0


@PROPERTY
@given(person_sessions(page_scripts=True))
def test_a_page_clicking_for_itself_never_makes_a_person_medium(messages: list[Message]) -> None:
    result = verdict(messages)

    assert result.bot_score < SCORE_MEDIUM
    assert set(result.flags) <= {"untrusted_input"}


@PROPERTY
@given(arbitrary_sessions(env=plausible_environments))
def test_one_behavioural_family_alone_stays_below_the_bot_band(messages: list[Message]) -> None:
    result = verdict(messages)

    if any(set(result.flags) <= family | CORROBORATING for family in BEHAVIOURAL_FAMILIES):
        assert result.bot_score < SCORE_BOT


@PROPERTY
@given(arbitrary_sessions(env=plausible_environments))
def test_corroborating_findings_are_never_reported_alone(messages: list[Message]) -> None:
    result = verdict(messages)

    assert not result.flags or not set(result.flags) <= CORROBORATING


@PROPERTY
@given(arbitrary_sessions(max_size=60), st.randoms(use_true_random=False))
def test_the_verdict_does_not_depend_on_how_batches_were_cut_or_resent_in_order(
    messages: list[Message], rng: random.Random
) -> None:
    # Messages arrive in batches of any size; each batch is observed in seq order.
    state, start = new_state(), 0
    while start < len(messages):
        end = start + rng.randint(1, 7)
        state = observe(state, list(reversed(messages[start:end])))
        start = end

    assert assess(state) == verdict(messages)
