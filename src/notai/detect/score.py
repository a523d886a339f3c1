"""From findings to a session's `botScore` and `detectionFlags`.

Strengths combine by noisy-OR, 1 - prod(1 - s): each independent finding can only raise
the score, agreement between findings raises it more, and no evidence means a score of 0.
A mean would let plenty of innocent data dilute one conclusive finding, and would put a
session with no evidence at some middle value.

Findings of the same family share an innocent explanation (hands-free input explains both
trail-less clicks and text without keys), so a family counts once, by its strongest finding.
Corroborating findings (software rendering, DevTools attached, paste then submit) are common
among people: they count, and are reported, only when some other finding is there.
"""

from __future__ import annotations

import math

import msgspec

from notai.detect import behaviour, environment, keys, signals
from notai.detect.explain import explain
from notai.detect.signals import Evidence, Finding, Signal
from notai.detect.state import DetectorState

SCORE_DECIMALS = 4

SIGNALS: tuple[Signal, ...] = (
    *signals.SIGNALS,
    environment.inconsistent_platform,
    environment.headless_environment,
    environment.emulated_screen,
    environment.frameless_window,
    environment.software_rendering,
    environment.devtools_protocol,
    behaviour.centre_precision_clicks,
    behaviour.teleport_clicks,
    behaviour.think_then_burst,
    keys.machine_key_dwell,
    keys.uniform_keystroke_cadence,
    keys.shiftless_capitals,
    behaviour.scroll_jumps,
    behaviour.reading_time_impossible,
    behaviour.paste_then_submit,
    behaviour.pointer_without_coalesced_events,
)
"""Every signal, in the order the vocabulary lists them (docs/detection.md)."""


class Assessment(msgspec.Struct, frozen=True):
    """A session's verdict: the score, the flags strongest first, and what backs each flag.

    Each flag's evidence carries `explanation`, the plain sentence of `detect.explain`.
    """

    bot_score: float
    flags: tuple[str, ...]
    evidence: dict[str, Evidence]


def assess(state: DetectorState) -> Assessment:
    """Score a session from its evidence so far."""
    findings = [finding for signal in SIGNALS if (finding := signal(state)) is not None]
    if all(f.corroborating for f in findings):
        findings = []
    findings.sort(key=lambda f: (-f.strength, f.flag))
    return Assessment(
        bot_score=combine(findings),
        flags=tuple(f.flag for f in findings),
        evidence={
            f.flag: {**f.evidence, "explanation": explain(f.flag, f.evidence)} for f in findings
        },
    )


def combine(findings: list[Finding]) -> float:
    """Noisy-OR over families, each family counted by its strongest finding."""
    strongest: dict[str, float] = {}
    for finding in findings:
        strength = min(1.0, max(0.0, finding.strength))
        strongest[finding.family] = max(strongest.get(finding.family, 0.0), strength)
    miss = math.prod(1.0 - strength for strength in strongest.values())
    return round(1.0 - miss, SCORE_DECIMALS)
