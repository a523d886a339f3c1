"""Score bands: the contract's thresholds, shared by the detector, the store and the API.

Like `events.py`, this module imports nothing of notai's, so the pure detector may use it.
"""

from __future__ import annotations

from typing import Literal

SCORE_BOT = 0.7
"""botScore at or above this is a bot session (`botOnly`, `botSessionCount`)."""
SCORE_MEDIUM = 0.4
"""botScore at or above this, and below SCORE_BOT, is a medium session."""
SCORE_HIGH_CONFIDENCE = 0.9
"""Analytics: a bot session at or above this is a high-confidence bot."""

Band = Literal["bot", "medium", "human"]
Bucket = Literal["high", "medium", "low", "human"]


def band_of(score: float) -> Band:
    if score >= SCORE_BOT:
        return "bot"
    return "medium" if score >= SCORE_MEDIUM else "human"


def bucket_of(score: float) -> Bucket:
    """Analytics buckets: high >= 0.9 > medium >= 0.7 > low >= 0.4 > likely human."""
    if score >= SCORE_HIGH_CONFIDENCE:
        return "high"
    if score >= SCORE_BOT:
        return "medium"
    return "low" if score >= SCORE_MEDIUM else "human"
