"""Detector states kept between a session's batches: handed out only for their own bytes."""

from __future__ import annotations

from notai import detect
from notai.collect.states import StoredStates
from notai.events import Environment
from unit.detect.detect_strategies import SessionBuilder

KEY = ("int_1", "ses_1")


def _stored_after_a_batch() -> tuple[bytes, detect.DetectorState]:
    state = detect.new_state()
    detect.fold(state, SessionBuilder().init(Environment(webdriver=True)).keys([90, 80]).messages)
    return detect.encode_state(state), state


def test_the_state_stored_as_these_bytes_is_handed_back_without_decoding() -> None:
    states = StoredStates()
    stored, state = _stored_after_a_batch()
    states.keep(KEY, stored, state)

    assert states.take(KEY, stored) is state


def test_other_bytes_on_the_row_are_decoded() -> None:
    # The row holds what another worker, a rebuild or an earlier commit wrote, not what
    # this process stored last (say its transaction failed).
    states = StoredStates()
    stored, state = _stored_after_a_batch()
    states.keep(KEY, stored, state)
    older = detect.encode_state(detect.new_state())

    taken = states.take(KEY, older)

    assert taken is not state
    assert taken == detect.new_state()


def test_a_state_is_handed_out_once() -> None:
    # A batch that fails half-way through its fold must not leave its half-updated state
    # to be handed out again for the same bytes.
    states = StoredStates()
    stored, state = _stored_after_a_batch()
    states.keep(KEY, stored, state)
    states.take(KEY, stored).typing.keys = 999  # updated, then never kept

    again = states.take(KEY, stored)

    assert again is not state
    assert again == detect.decode_state(stored)
    assert again.typing.keys != 999


def test_the_least_recently_stored_sessions_are_let_go() -> None:
    states = StoredStates(capacity=2)
    stored, state = _stored_after_a_batch()
    for session in ("a", "b", "c"):
        states.keep(("int_1", session), stored, state)

    assert len(states) == 2
    assert states.take(("int_1", "a"), stored) is not state
    assert states.take(("int_1", "c"), stored) is state


def test_sessions_of_other_integrations_are_apart() -> None:
    states = StoredStates()
    stored, state = _stored_after_a_batch()
    states.keep(("int_1", "ses_1"), stored, state)

    assert states.take(("int_2", "ses_1"), stored) is not state
