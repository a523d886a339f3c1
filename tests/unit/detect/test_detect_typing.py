"""machine_typing_cadence and text_without_keystrokes: how text reached the page."""

from __future__ import annotations

import random
from collections.abc import Sequence

from notai.detect import SCORE_BOT, SCORE_MEDIUM, Assessment, assess, new_state, observe
from notai.detect.signals import TEXT_WITHOUT_KEYS, TYPING_CADENCE
from notai.events import KeySample, Message
from unit.detect.detect_strategies import SessionBuilder, human_gaps

MACHINE_GAP_MS = 4
TYPING_FAMILY = {"machine_typing_cadence", "machine_key_dwell", "uniform_keystroke_cadence"}


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


def typed_by_a_person(n_keys: int, seed: int = 7) -> SessionBuilder:
    rng = random.Random(seed)
    builder = SessionBuilder().init().move_and_click(600, 400)
    for _ in range(n_keys // 20):
        builder.keys(human_gaps(rng, 19)).text(20).wait(rng.randint(300, 3000))
    return builder


# --- machine_typing_cadence ----------------------------------------------------------------------


def test_people_typing_with_varied_gaps_are_not_flagged() -> None:
    result = verdict(typed_by_a_person(400).messages)

    assert result.flags == ()
    assert result.bot_score == 0.0


def test_key_rollover_now_and_then_is_not_a_run() -> None:
    # Fast typists overlap keys: a few gaps under 40 ms, never ten in a row.
    gaps = [160, 25, 180, 30, 22, 140, 210, 35, 190, 28, 31, 170] * 10
    builder = SessionBuilder().init().keys(gaps).text(len(gaps) + 1)

    assert verdict(builder.messages).flags == ()


def test_a_held_key_that_auto_repeats_is_not_a_run() -> None:
    # Holding Backspace: keydowns every ~33 ms, released only at the end.
    repeats: list[KeySample] = [(33 * i, -1, "backspace") for i in range(40)]
    repeats[-1] = (33 * 39, 33 * 39 + 20, "backspace")
    builder = typed_by_a_person(40).key_samples(repeats, duration=33 * 40)

    assert verdict(builder.messages).flags == ()


def test_shift_leading_letters_is_not_a_run() -> None:
    keys: list[KeySample] = []
    for i in range(30):
        at = 200 * i + (i * 53) % 90  # people's rhythm is never exactly even
        keys += [(at, at + 90, "modifier"), (at + 15, at + 70, "letter")]
    builder = SessionBuilder().init().key_samples(keys, duration=6100).text(30)

    assert verdict(builder.messages).flags == ()


def test_keys_faster_than_anyone_types_are_flagged_below_the_bot_band() -> None:
    builder = SessionBuilder().init().keys([MACHINE_GAP_MS] * 39, hold_ms=1).text(40)

    result = verdict(builder.messages)

    assert "machine_typing_cadence" in result.flags
    assert set(result.flags) <= TYPING_FAMILY
    assert SCORE_MEDIUM <= result.bot_score < SCORE_BOT
    assert result.evidence["machine_typing_cadence"]["longest_run_keys"] == 40


def test_a_run_just_short_of_the_threshold_is_not_flagged() -> None:
    short = [MACHINE_GAP_MS] * (TYPING_CADENCE.min_run_keys - 2)
    builder = SessionBuilder().init().keys(short, hold_ms=80).wait(400).keys(short, hold_ms=80)

    assert verdict(builder.messages).flags == ()


def test_longer_runs_are_stronger_evidence() -> None:
    scores = [
        verdict(SessionBuilder().keys([MACHINE_GAP_MS] * (n - 1), hold_ms=1).messages).bot_score
        for n in (TYPING_CADENCE.min_run_keys, TYPING_CADENCE.full_run_keys, 200)
    ]

    assert 0.0 < scores[0] < scores[1] == scores[2] < SCORE_BOT


def test_a_run_split_across_messages_and_batches_is_one_run() -> None:
    builder = SessionBuilder().init()
    for _ in range(4):
        builder.keys([MACHINE_GAP_MS] * 3, hold_ms=1).wait(MACHINE_GAP_MS - 1)
    messages = builder.messages

    state = new_state()
    for message in messages:
        state = observe(state, [message])

    assert state.typing.longest_run == 16
    assert assess(state) == verdict(messages)


# --- text_without_keystrokes ---------------------------------------------------------------------


def test_a_field_filled_without_keys_is_flagged_below_the_bot_band() -> None:
    builder = SessionBuilder().init().move_and_click(600, 400)
    first_t = builder.t
    builder.text(140).wait(3000).text(90, field="essay")

    result = verdict(builder.messages)

    assert result.flags == ("text_without_keystrokes",)
    assert SCORE_MEDIUM <= result.bot_score < SCORE_BOT
    evidence = result.evidence["text_without_keystrokes"]
    assert (evidence["typed_chars"], evidence["keys"], evidence["field"]) == (230, 0, "essay")
    assert evidence["first_ms"] == first_t


def test_a_little_text_without_keys_is_weak() -> None:
    small = verdict(SessionBuilder().text(TEXT_WITHOUT_KEYS.min_chars).messages)
    large = verdict(SessionBuilder().text(TEXT_WITHOUT_KEYS.full_chars * 3).messages)
    tiny = verdict(SessionBuilder().text(TEXT_WITHOUT_KEYS.min_chars - 1).messages)

    assert tiny.flags == ()
    assert 0.0 < small.bot_score < large.bot_score < SCORE_BOT


def test_typing_with_keys_is_not_flagged() -> None:
    assert verdict(typed_by_a_person(200).messages).flags == ()


def test_paste_is_not_text_without_keys() -> None:
    builder = SessionBuilder().init().move_and_click(600, 400)
    builder.paste(800).wait(5000).paste(300, input_type="insertText")  # an editor re-inserts

    assert verdict(builder.messages).flags == ()


def test_autofill_drop_and_ime_composition_are_not_text_without_keys() -> None:
    builder = SessionBuilder().init()
    for input_type in ("insertReplacementText", "", "insertFromDrop", "insertCompositionText"):
        builder.text(120, input_type)

    assert verdict(builder.messages).flags == ()


def test_text_set_by_a_script_is_text_without_keys_not_untrusted_input() -> None:
    builder = SessionBuilder().init().text(200, trusted=False)

    state = observe(new_state(), builder.messages)

    assert (state.text.typed_chars, state.text.scripted_chars) == (0, 200)
    assert state.untrusted.inputs == 0
    assert verdict(builder.messages).flags == ("text_without_keystrokes",)


def test_deletions_do_not_count() -> None:
    builder = SessionBuilder().init().text(-300, "deleteContentBackward").text(-50)

    assert verdict(builder.messages).flags == ()


# --- two behavioural signals ---------------------------------------------------------------------


def test_fast_keys_and_jumping_clicks_together_reach_the_bot_band() -> None:
    builder = SessionBuilder().init().click(900, 500)
    for x, y in [(120, 640), (880, 210), (430, 515), (1500, 90)]:
        builder.wait(700).click(x, y).keys([MACHINE_GAP_MS] * 24, hold_ms=1).text(25)

    result = verdict(builder.messages)

    assert {"click_without_pointer_trail", "machine_typing_cadence"} <= set(result.flags)
    assert set(result.flags) <= {"click_without_pointer_trail", *TYPING_FAMILY}
    assert result.bot_score >= SCORE_BOT


def test_hands_free_input_counts_once() -> None:
    # Voice control clicks without moving the pointer and dictation types without keys:
    # one person can show both, so together they stay below the bot band.
    builder = SessionBuilder().init().click(900, 500)
    for x, y in [(120, 640), (880, 210), (430, 515), (1500, 90)]:
        builder.wait(1500).click(x, y).wait(4000).text(160)

    result = verdict(builder.messages)

    assert set(result.flags) == {"click_without_pointer_trail", "text_without_keystrokes"}
    assert SCORE_MEDIUM <= result.bot_score < SCORE_BOT
