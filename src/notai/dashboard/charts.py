"""Geometry of the dashboard's charts, drawn as SVG by the templates (no script needed).

Each function turns numbers into coordinates inside a fixed viewBox; the templates add the
shapes, a `<title>` for each (read on hover and by screen readers) and a table beside the
chart with the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from notai.bands import band_of

CHART_WIDTH = 1000
CHART_HEIGHT = 200


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    label: str
    value: float


def sparkline_points(values: list[int], width: float = 70, height: float = 18) -> str:
    """`points` of an SVG polyline, oldest day left, scaled to the busiest day."""
    if not values:
        return ""
    top = max(values) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 1 - (v / top) * (height - 2):.1f}" for i, v in enumerate(values)
    )


def score_band(score: float) -> str:
    """`bot`, `medium` or `human`: the class that colours a score."""
    return band_of(score)


def column_bars(
    values: Sequence[tuple[str, float]], width: float = CHART_WIDTH, height: float = CHART_HEIGHT
) -> list[Bar]:
    """Vertical bars side by side, scaled to the tallest."""
    if not values:
        return []
    top = max(v for _, v in values) or 1
    slot = width / len(values)
    gap = min(slot * 0.2, 4)
    bars = []
    for index, (label, value) in enumerate(values):
        bar_height = value / top * (height - 4)
        bars.append(
            Bar(index * slot + gap / 2, slot - gap, height - bar_height, bar_height, label, value)
        )
    return bars


def stacked_over(base: list[Bar], values: list[float]) -> list[Bar]:
    """Bars for a part of each base bar (bots within sessions), drawn from the same floor."""
    stacked = []
    for bar, value in zip(base, values, strict=True):
        share = value / bar.value if bar.value else 0.0
        part = bar.height * share
        stacked.append(Bar(bar.x, bar.width, bar.y + bar.height - part, part, bar.label, value))
    return stacked


def row_bars(values: Sequence[tuple[str, float]], width: float = 100) -> list[Bar]:
    """Horizontal bars as shares of the largest (width in viewBox units, 0 to `width`)."""
    top = max((v for _, v in values), default=0) or 1
    return [Bar(0, v / top * width, 0, 0, label, v) for label, v in values]


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    fast: bool
    label: str


GAP_FLOOR_MS = 10
GAP_CEILING_MS = 3000


def gap_y(gap_ms: float, height: float = CHART_HEIGHT) -> float:
    """Gaps on a log scale from 10 ms (bottom) to 3 s (top): both ends stay readable."""
    clamped = min(max(gap_ms, GAP_FLOOR_MS), GAP_CEILING_MS)
    span = math.log10(GAP_CEILING_MS) - math.log10(GAP_FLOOR_MS)
    share = (math.log10(clamped) - math.log10(GAP_FLOOR_MS)) / span
    return height - share * height


def cadence_dots(
    gaps: list[tuple[int, int, str]], duration_ms: int, fast_ms: int, width: float = CHART_WIDTH
) -> list[Dot]:
    """One dot per keydown: x its time in the session, y the gap since the key before."""
    span = max(duration_ms, 1)
    return [
        Dot(
            min(width, max(0.0, t / span * width)),
            gap_y(gap),
            gap < fast_ms,
            f"{gap} ms after the previous key ({kind}), {t / 1000:.1f} s in",
        )
        for t, gap, kind in gaps
    ]
