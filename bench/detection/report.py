"""Figures from verdicts: detection and false-positive rates, per-flag rates, ROC AUC, BotD."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from bench.detection.ingest import Verdict

from notai.bands import SCORE_BOT, SCORE_MEDIUM


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson interval of a proportion (honest at 0 and n)."""
    if n == 0:
        return (0.0, 1.0)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def roc_auc(bots: Sequence[float], humans: Sequence[float]) -> float:
    """P(a bot scores above a person), ties counting half (Mann-Whitney)."""
    if not bots or not humans:
        return float("nan")
    ordered = sorted(humans)
    total = 0.0
    for score in bots:
        below = _count_below(ordered, score)
        ties = _count_below(ordered, score, inclusive=True) - below
        total += below + ties / 2
    return total / (len(bots) * len(humans))


def _count_below(ordered: Sequence[float], value: float, *, inclusive: bool = False) -> int:
    low, high = 0, len(ordered)
    while low < high:
        mid = (low + high) // 2
        if ordered[mid] < value or (inclusive and ordered[mid] == value):
            low = mid + 1
        else:
            high = mid
    return low


def bot_rows(verdicts: Sequence[Verdict], humans: Sequence[float]) -> list[dict[str, Any]]:
    rows = []
    for name in dict.fromkeys(v.source for v in verdicts):
        group = [v for v in verdicts if v.source == name]
        caught = sum(v.bot_score >= SCORE_BOT for v in group)
        botd = [v for v in group if v.botd]
        flags = Counter(f for v in group for f in v.flags)
        rows.append(
            {
                "class": name,
                "n": len(group),
                "detected": caught,
                "detection_rate": caught / len(group),
                "detection_ci95": wilson(caught, len(group)),
                "medium_or_above": sum(v.bot_score >= SCORE_MEDIUM for v in group) / len(group),
                "mean_score": sum(v.bot_score for v in group) / len(group),
                "auc_vs_people": roc_auc([v.bot_score for v in group], humans),
                "botd_n": len(botd),
                "botd_rate": (
                    sum(v.botd.startswith("bot") for v in botd) / len(botd) if botd else None
                ),
                "flags": dict(flags.most_common()),
            }
        )
    return rows


def human_rows(sets: Mapping[str, Sequence[Verdict]]) -> list[dict[str, Any]]:
    rows = []
    for name, group in sets.items():
        n = len(group)
        false = sum(v.bot_score >= SCORE_BOT for v in group)
        flags = Counter(f for v in group for f in v.flags)
        rows.append(
            {
                "set": name,
                "n": n,
                "false_positives": false,
                "fp_rate": false / n if n else 0.0,
                "fp_ci95": wilson(false, n),
                "medium_rate": sum(v.bot_score >= SCORE_MEDIUM for v in group) / n if n else 0.0,
                "max_score": max((v.bot_score for v in group), default=0.0),
                "flag_rates": {flag: count / n for flag, count in flags.most_common()},
            }
        )
    return rows


def percent(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def markdown(bots: list[dict[str, Any]], people: list[dict[str, Any]], overall_auc: float) -> str:
    lines = [
        "| bot class | n | detected at >= 0.7 | 95% CI | >= 0.4 | mean score | AUC | BotD |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in bots:
        low, high = row["detection_ci95"]
        lines.append(
            f"| {row['class']} | {row['n']} | {percent(row['detection_rate'])} | "
            f"{percent(low, 0)}-{percent(high, 0)} | {percent(row['medium_or_above'])} | "
            f"{row['mean_score']:.2f} | {row['auc_vs_people']:.3f} | {percent(row['botd_rate'])} |"
        )
    lines += [
        "",
        "| human set | n | FP at >= 0.7 | 95% upper | >= 0.4 | max score | flags seen (share) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in people:
        flags = ", ".join(f"{f} {percent(r)}" for f, r in row["flag_rates"].items()) or "none"
        lines.append(
            f"| {row['set']} | {row['n']} | {row['false_positives']} ({percent(row['fp_rate'], 2)})"
            f" | {percent(row['fp_ci95'][1], 2)} | {percent(row['medium_rate'])} | "
            f"{row['max_score']:.2f} | {flags} |"
        )
    lines += ["", f"ROC AUC, every bot session against every held-out person: {overall_auc:.4f}"]
    return "\n".join(lines)
