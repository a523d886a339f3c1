"""Key signals beyond runs of fast keys: how long keys are held, how even their beat, and
capitals that no keyboard could have typed.

The two timing signals belong to the typing-cadence family with `machine_typing_cadence`:
on-screen and switch-access keyboards and text expanders can show all three at once, so they
count once. Thresholds come from the development part of the Aalto keystroke recordings
(docs/detection.md). `shiftless_capitals` is a family of its own (key synthesis): it is about
how key events were made, not how they were timed.
"""

from __future__ import annotations

import math

import msgspec

from notai.detect.signals import Evidence, Finding, _ramp
from notai.detect.state import DetectorState

TYPING = "typing_cadence"


class DwellThresholds(msgspec.Struct, frozen=True):
    short_ms: int = 25
    """Held for less than this: people hold keys 60-170 ms (median per person)."""
    min_keys: int = 10
    full_keys: int = 30
    min_share: float = 0.6
    min_strength: float = 0.5
    max_strength: float = 0.6


DWELL = DwellThresholds()


def machine_key_dwell(state: DetectorState) -> Finding | None:
    """Keys released almost as soon as they were pressed, one after another.

    A reviewer sees keypress samples whose up time is under 25 ms after their down time on
    most keys (10 or more). People hold keys for 60-170 ms; in our measurements of 600
    people no one had more than a third of keys that short. Tools that send key down and up
    back to back do; so do on-screen keyboards, so touch devices are not judged.
    """
    k = state.key_timing
    if state.facts.touch_device:
        return None  # on-screen keyboards send key down and up together
    if k.dwell_short < DWELL.min_keys or k.dwell_short < DWELL.min_share * k.dwell_measured:
        return None
    strength = _ramp(
        k.dwell_short, DWELL.min_keys, DWELL.full_keys, DWELL.min_strength, DWELL.max_strength
    )
    evidence: Evidence = {
        "short_keys": k.dwell_short,
        "keys_measured": k.dwell_measured,
        "short_ms": DWELL.short_ms,
        "first_ms": k.dwell_first_t,
    }
    return Finding("machine_key_dwell", strength, evidence, TYPING)


class UniformCadenceThresholds(msgspec.Struct, frozen=True):
    max_gap_ms: int = 1500
    """Longer gaps are pauses, not cadence."""
    min_gaps: int = 20
    max_cv: float = 0.15
    """Coefficient of variation of keydown gaps; people's sentences measure 0.2 and up."""
    strong_cv: float = 0.05
    even_ms: int = 3
    even_share: float = 0.1
    """Two consecutive gaps are even when they differ by at most 10% (or 3 ms)."""
    min_even_share: float = 0.6
    """Of consecutive gap pairs; people's sentences reach 0.41 at most (4,256 in Aalto)."""
    strong_even_share: float = 0.9
    min_strength: float = 0.45
    max_strength: float = 0.6


UNIFORM = UniformCadenceThresholds()


def keystroke_cv(gaps: int, total: float, total_sq: float) -> float:
    """Coefficient of variation of the gaps from their count, sum and sum of squares."""
    mean = total / gaps
    variance = max(0.0, total_sq / gaps - mean * mean)
    return math.sqrt(variance) / mean if mean > 0 else 0.0


def _cadence_strength(cv: float, even: float) -> float:
    """How metronome-like, from 0 to 1 by the stronger measure; negative when neither is."""
    by_cv = (UNIFORM.max_cv - cv) / (UNIFORM.max_cv - UNIFORM.strong_cv)
    even_span = UNIFORM.strong_even_share - UNIFORM.min_even_share
    by_even = (even - UNIFORM.min_even_share) / even_span
    return max(
        by_cv if cv < UNIFORM.max_cv else -1.0,
        by_even if even >= UNIFORM.min_even_share else -1.0,
    )


def uniform_keystroke_cadence(state: DetectorState) -> Finding | None:
    """Keys pressed at an even beat, like a metronome.

    A reviewer sees 20 or more keydown gaps (pauses over 1.5 s left out) whose spread is
    under 15% of their mean, or where 60% or more of consecutive gaps are within 10% of each
    other. People's rhythm varies with letters and words: in the Aalto recordings no
    sentence went below 20% spread, nor above 41% of even pairs. A script typing with a
    fixed delay does, even when it pauses between fields and its timers jitter.
    """
    k = state.key_timing
    if k.gaps < UNIFORM.min_gaps:
        return None
    cv = keystroke_cv(k.gaps, k.gap_sum, k.gap_sumsq)
    even = k.even_pairs / k.pairs if k.pairs >= UNIFORM.min_gaps else 0.0
    share = _cadence_strength(cv, even)
    if share < 0:
        return None
    strength = UNIFORM.min_strength + (UNIFORM.max_strength - UNIFORM.min_strength) * min(1, share)
    evidence: Evidence = {
        "gaps": k.gaps,
        "mean_gap_ms": round(k.gap_sum / k.gaps, 1),
        "variation": round(cv, 3),
        "even_pairs": k.even_pairs,
        "pairs": k.pairs,
        "first_ms": k.gap_first_t,
    }
    return Finding("uniform_keystroke_cadence", strength, evidence, TYPING)


KEY_SYNTHESIS = "key_synthesis"


class ShiftlessThresholds(msgspec.Struct, frozen=True):
    min_keys: int = 3
    """One or two could be a glitch of an unusual keyboard set-up; three is a habit."""
    full_keys: int = 6
    min_strength: float = 0.45
    max_strength: float = 0.6


SHIFTLESS = ShiftlessThresholds()


def shiftless_capitals(state: DetectorState) -> Finding | None:
    """Capital letters typed from letter keys with neither Shift nor Caps Lock held.

    A reviewer sees keypress messages whose `shiftless` count adds up to 3 or more: capitals
    from their own letter key (key `C`, code `KeyC`) with neither Shift nor Caps Lock held.
    On a keyboard a letter key gives a capital only with one of them; tools that type by
    sending key events (Playwright's and Puppeteer's `keyboard.type` and `press`, the
    DevTools protocol's key events) send the capital alone. Text expanders and dictation
    software that type for people send characters that do not match a key position, which
    the pixel does not count. Phones and tablets are not judged: their on-screen keyboards
    capitalise by themselves. Not a certainty (a remote-desktop or keyboard-remapping set-up
    could in principle do it), so it stays below the bot band alone.
    """
    k = state.key_timing
    if state.facts.touch_device or k.shiftless < SHIFTLESS.min_keys:
        return None
    strength = _ramp(
        k.shiftless,
        SHIFTLESS.min_keys,
        SHIFTLESS.full_keys,
        SHIFTLESS.min_strength,
        SHIFTLESS.max_strength,
    )
    evidence: Evidence = {
        "shiftless_capitals": k.shiftless,
        "keys": state.typing.keys,
        "first_ms": k.shiftless_first_t,
    }
    return Finding("shiftless_capitals", strength, evidence, KEY_SYNTHESIS)
