"""The detection engine: from a session's event messages to `botScore` and `detectionFlags`.

Pure functions, no I/O, deterministic. The collector keeps one `DetectorState` per session
(stored with `encode_state`), folds each new batch into it with `observe` and reads the
verdict with `assess`:

    state = decode_state(row.detector_state) if row.detector_state else new_state()
    state = observe(state, new_messages_sorted_by_seq)
    verdict = assess(state)  # verdict.bot_score, verdict.flags, verdict.evidence

The flags and how scores combine are described in docs/detection.md.
"""

from notai.bands import SCORE_BOT, SCORE_MEDIUM
from notai.detect.explain import explain, explanations
from notai.detect.observe import observe
from notai.detect.score import Assessment, assess
from notai.detect.state import DetectorState, decode_state, encode_state, new_state

__all__ = [
    "SCORE_BOT",
    "SCORE_MEDIUM",
    "Assessment",
    "DetectorState",
    "assess",
    "decode_state",
    "encode_state",
    "explain",
    "explanations",
    "new_state",
    "observe",
]
