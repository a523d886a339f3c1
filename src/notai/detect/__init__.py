"""The detection engine: from a session's event messages to `botScore` and `detectionFlags`.

Pure functions, no I/O, deterministic. The collector keeps one `DetectorState` per session
(stored with `encode_state`), folds each new batch into it with `observe` and reads the
verdict with `assess`:

    state = decode_state(row.detector_state) if row.detector_state else new_state()
    state = observe(state, new_messages)  # or fold(state, new_messages), in place
    verdict = assess(state)  # verdict.bot_score, verdict.flags, verdict.evidence

The flags and how scores combine are described in docs/detection.md.
"""

from notai.detect import native

COMPILED = native.use_build(__path__)
"""Whether the fold runs compiled (notai.detect.native); set before its modules load."""

from notai.bands import SCORE_BOT, SCORE_MEDIUM  # noqa: E402
from notai.detect.explain import explain, explanations  # noqa: E402
from notai.detect.observe import fold, observe  # noqa: E402
from notai.detect.score import Assessment, assess  # noqa: E402
from notai.detect.state import (  # noqa: E402
    DetectorState,
    decode_state,
    encode_state,
    new_state,
)

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
    "fold",
    "new_state",
    "observe",
]
