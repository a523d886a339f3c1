"""Behavioural signals beyond the first three: how clicks, scrolls and answers are timed.

(Key timing is in `detect.keys`.)

Each reads the evidence `detect.tracking` keeps and may report one flag. Each stays below
the bot band alone, because some person somewhere produces it: voice control's mouse grid
jumps the pointer and clicks out of silence, on-screen keyboards hold keys for no time,
screen readers jump the page to the next field. Findings that one such person can produce
together share a family, which counts once (see `detect.score`).
"""

from __future__ import annotations

import math

import msgspec

from notai.detect.explain import CHANCE_CAP
from notai.detect.signals import (
    CORROBORATING,
    HANDS_FREE,
    MACHINE_AIM,
    Evidence,
    Finding,
    _ramp,
)
from notai.detect.state import DetectorState

# --- clicks --------------------------------------------------------------------------------


class CentreThresholds(msgspec.Struct, frozen=True):
    tolerance_px: float = 1.5
    """Within this of the target's centre on both axes (the pixel rounds both to whole px)."""
    min_side_px: int = 10
    max_side_px: int = 1500
    """Boxes this large are the page itself, not something aimed at."""
    aim_spread: float = 4.133
    """People's presses spread around a target's centre with sd = size / 4.133 (Fitts)."""
    min_clicks: int = 3
    min_share: float = 0.6
    min_surprise: float = 4.0
    """-log10 of the chance a person's presses are all this central: at least 1 in 10,000."""
    full_surprise: float = 10.0
    min_strength: float = 0.45
    max_strength: float = 0.6


CENTRE = CentreThresholds()


def centre_chance(width: int, height: int) -> float:
    """The chance that a person's press on a box this size lands within tolerance of centre."""
    return _axis_chance(width) * _axis_chance(height)


def _axis_chance(size: int) -> float:
    sigma = size / CENTRE.aim_spread
    return min(1.0, math.erf(CENTRE.tolerance_px / (sigma * math.sqrt(2))))


def centre_precision_clicks(state: DetectorState) -> Finding | None:
    """Mouse presses that land on the exact centre of their targets, again and again.

    A reviewer sees mouse_click messages whose x, y is within 1.5 px of the middle of the
    target box, on most judged presses. People aim roughly: their presses spread around a
    target's centre. Automation computes the centre. A screen reader's or voice control's
    activation lands on the centre too, but the browser marks it as a press with no
    pointing device behind it and it is never judged here; so this finding is a family of
    its own, and agreeing with a hands-free finding it can reach the bot band.
    """
    c = state.clicks
    surprise = -c.centred_log10_chance
    if c.centred < CENTRE.min_clicks or c.centred < CENTRE.min_share * c.sized:
        return None
    if surprise < CENTRE.min_surprise:
        return None
    strength = _ramp_float(
        surprise,
        CENTRE.min_surprise,
        CENTRE.full_surprise,
        CENTRE.min_strength,
        CENTRE.max_strength,
    )
    evidence: Evidence = {
        "centred_clicks": c.centred,
        "clicks_judged": c.sized,
        "chance_1_in": round(min(10.0**surprise, CHANCE_CAP)),
        "first_ms": c.centred_first_t,
        "last_ms": c.centred_last_t,
    }
    return Finding("centre_precision_clicks", strength, evidence, MACHINE_AIM)


class TeleportThresholds(msgspec.Struct, frozen=True):
    min_step_px: int = 100
    """The pointer's last step before a press; a hand slows to a few px before pressing."""
    approach_window_ms: int = 1000
    min_clicks: int = 3
    min_share: float = 0.5
    strength: float = 0.5


TELEPORT = TeleportThresholds()


def teleport_clicks(state: DetectorState) -> Finding | None:
    """Presses reached in one jump: the pointer's last step before them was 100 px or more.

    A reviewer sees a mouse_move whose last sample is far from the one before it (or from
    the previous click), then a press right there. A hand decelerates onto a target; tools
    that move the pointer straight to a point in one event do not.
    """
    c = state.clicks
    if c.teleports < TELEPORT.min_clicks or c.teleports < TELEPORT.min_share * c.approached:
        return None
    evidence: Evidence = {
        "teleport_clicks": c.teleports,
        "clicks_judged": c.approached,
        "longest_jump_px": c.teleport_max_px,
        "first_ms": c.teleport_first_t,
        "last_ms": c.teleport_last_t,
    }
    return Finding("teleport_clicks", TELEPORT.strength, evidence, HANDS_FREE)


class ColdClickThresholds(msgspec.Struct, frozen=True):
    silence_ms: int = 2000
    """No event at all for this long: the page sat still."""
    approach_ms: int = 150
    """Then a press this soon after the first sign of life: no time to reach a target."""
    max_approach_samples: int = 1
    """And at most one pointer sample on the way: a jump, not a movement."""
    same_spot_px: int = 4
    min_clicks: int = 3
    full_clicks: int = 6
    min_share: float = 0.5
    min_strength: float = 0.4
    max_strength: float = 0.55


COLD = ColdClickThresholds()


def think_then_burst(state: DetectorState) -> Finding | None:
    """Silence, then a press with no approach: the rhythm of an agent's think-then-act steps.

    A reviewer sees no message at all for 2 s or more, then a mouse press within 150 ms
    of the first message after the silence, with at most one pointer sample on the way and
    somewhere other than where the pointer rested, on at least half of the presses. People
    move to a target before pressing it; an agent that waits for a model's reply and then
    clicks coordinates does not. Voice control can do it too (hands-free family).
    """
    c = state.clicks
    if c.cold < COLD.min_clicks or c.cold < COLD.min_share * c.presses:
        return None
    strength = _ramp(
        c.cold, COLD.min_clicks, COLD.full_clicks, COLD.min_strength, COLD.max_strength
    )
    evidence: Evidence = {
        "cold_clicks": c.cold,
        "mouse_presses": c.presses,
        "silence_ms": COLD.silence_ms,
        "first_ms": c.cold_first_t,
        "last_ms": c.cold_last_t,
    }
    return Finding("think_then_burst", strength, evidence, HANDS_FREE)


# --- scrolling, pace, paste, pointer pipeline ------------------------------------------------


class ScrollJumpThresholds(msgspec.Struct, frozen=True):
    min_jump_px: int = 300
    """One step this long: wheels move about 100 px a frame, fingers and keys animate."""
    explained_ms: int = 1000
    """A key, a press or a touch this soon before explains it (Tab, PageDown, a link)."""
    min_jumps: int = 3
    full_jumps: int = 8
    min_strength: float = 0.2
    max_strength: float = 0.35


SCROLL_JUMP = ScrollJumpThresholds()


def scroll_jumps(state: DetectorState) -> Finding | None:
    """The page jumped by hundreds of pixels at once, with no key, press or touch before it.

    A reviewer sees scroll samples 300 px or more apart, 3 or more times, with no key,
    click or touch in the second before. Wheels, trackpads and keys scroll in animated
    steps; tools scroll elements into view instantly. Screen readers move the page too,
    so this is weak and in the hands-free family.
    """
    s = state.scroll
    if s.jumps < SCROLL_JUMP.min_jumps:
        return None
    strength = _ramp(
        s.jumps,
        SCROLL_JUMP.min_jumps,
        SCROLL_JUMP.full_jumps,
        SCROLL_JUMP.min_strength,
        SCROLL_JUMP.max_strength,
    )
    evidence: Evidence = {
        "jumps": s.jumps,
        "scroll_steps": s.steps,
        "longest_jump_px": s.max_jump_px,
        "first_ms": s.first_t,
        "last_ms": s.last_t,
    }
    return Finding("scroll_jumps", strength, evidence, HANDS_FREE)


class PaceThresholds(msgspec.Struct, frozen=True):
    min_fields: int = 4
    min_ms_per_field: int = 800
    """Reading a question and choosing an answer takes longer than this, every time."""
    full_fields: int = 8
    min_strength: float = 0.4
    max_strength: float = 0.55
    max_fields: int = 32


PACE = PaceThresholds()


def reading_time_impossible(state: DetectorState) -> Finding | None:
    """A form submitted with its answers faster than anyone can read the questions.

    A reviewer sees a form_submit less than 0.8 s per answered field after the page
    loaded, with 4 or more fields answered. People read before they answer.
    """
    p = state.pace
    if not p.fast_submits:
        return None
    strength = _ramp(
        p.fastest_answered, PACE.min_fields, PACE.full_fields, PACE.min_strength, PACE.max_strength
    )
    evidence: Evidence = {
        "fields_answered": p.fastest_answered,
        "elapsed_ms": p.fastest_elapsed_ms,
        "fast_submits": p.fast_submits,
        "first_ms": p.first_t,
    }
    return Finding("reading_time_impossible", strength, evidence, "pace")


class PasteSubmitThresholds(msgspec.Struct, frozen=True):
    min_length: int = 20
    within_ms: int = 10_000
    max_keys_after: int = 2
    strength: float = 0.1


PASTE_SUBMIT = PasteSubmitThresholds()


def paste_then_submit(state: DetectorState) -> Finding | None:
    """A long paste, then the form submitted within seconds, with no typing in between.

    People paste answers they drafted elsewhere; that is legitimate, so this only
    corroborates other findings and is never reported alone.
    """
    p = state.pace
    if not p.paste_submits:
        return None
    evidence: Evidence = {
        "paste_submits": p.paste_submits,
        "pasted_chars": p.paste_length,
        "first_ms": p.paste_submit_t,
    }
    return Finding(
        "paste_then_submit", PASTE_SUBMIT.strength, evidence, CORROBORATING, corroborating=True
    )


class CoalescedThresholds(msgspec.Struct, frozen=True):
    min_samples: int = 3
    """Move messages with at least this many samples are judged."""
    min_messages: int = 10
    min_share: float = 0.9
    strength: float = 0.45


COALESCED = CoalescedThresholds()


def pointer_without_coalesced_events(state: DetectorState) -> Finding | None:
    """Pointer movement that the browser reported with no coalesced samples at all.

    A reviewer sees mouse_move messages with `coalesced` 0 on nearly all of ten or more
    movements. A physical mouse's moves carry the samples the browser merged into them;
    input injected through the DevTools protocol may not.
    """
    m = state.moves
    if m.uncoalesced < COALESCED.min_messages or m.uncoalesced < COALESCED.min_share * m.judged:
        return None
    evidence: Evidence = {
        "moves_without_coalesced": m.uncoalesced,
        "moves_judged": m.judged,
        "first_ms": m.first_t,
    }
    return Finding(
        "pointer_without_coalesced_events", COALESCED.strength, evidence, "pointer_pipeline"
    )


def _ramp_float(value: float, low: float, high: float, at_low: float, at_high: float) -> float:
    share = min(1.0, max(0.0, (value - low) / (high - low)))
    return at_low + (at_high - at_low) * share
