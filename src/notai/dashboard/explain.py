"""Each flag in plain words: the detector's sentence about this session, and what to look for.

The headline is `notai.detect.explain`'s sentence for the flag and its evidence (stored
with the evidence as `explanation` by newer detectors; computed here for sessions scored
before). The detail is the signal's own docstring past its first line: what a reviewer sees
in a session that triggers it (docs/detection.md).
"""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import dataclass
from functools import cache

from notai.detect import explain as detector_sentence
from notai.detect.score import SIGNALS

STORED_SENTENCE = "explanation"

_EVIDENCE_WORDS = {
    "first_ms": "first seen",
    "last_ms": "last seen",
    "first_run_ms": "first fast run at",
    "longest_run_ms": "longest run at",
}


@dataclass(frozen=True)
class Explanation:
    headline: str
    detail: str


@cache
def _what_reviewers_see() -> dict[str, str]:
    found = {}
    for signal in SIGNALS:
        _, _, detail = (inspect.getdoc(signal) or "").partition("\n\n")
        found[signal.__name__] = " ".join(detail.split())
    return found


def explain(flag: str, evidence: dict[str, object]) -> Explanation:
    """The flag in one sentence about this session, and what to look for in it."""
    stored = evidence.get(STORED_SENTENCE)
    headline = stored if isinstance(stored, str) else detector_sentence(flag, evidence)
    return Explanation(headline, _what_reviewers_see().get(flag, ""))


def evidence_rows(evidence: dict[str, object], start_ms: int) -> list[tuple[str, str]]:
    """(label, value) pairs a person reads: times as offsets into the session and clock."""
    rows = []
    for name, value in evidence.items():
        if name == STORED_SENTENCE:
            continue
        label = _EVIDENCE_WORDS.get(name, name.replace("_", " "))
        rows.append((label, _value(name, value, start_ms)))
    return rows


def _value(name: str, value: object, start_ms: int) -> str:
    if name.endswith("_ms") and isinstance(value, int) and value > 10**12:
        clock = dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).strftime("%H:%M:%S")
        return f"{(value - start_ms) / 1000:+.1f} s into the session ({clock} UTC)"
    if name.endswith("_ms") and isinstance(value, int | float):
        return f"{value} ms"
    return str(value)
