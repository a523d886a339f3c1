"""The detection bench: people from real recordings and personas, bots from real Chromium.

    .venv/bin/python -m bench.detection            # the full run (about half an hour)
    .venv/bin/python -m bench.detection --quick    # the CI gate (a few minutes)

People: sessions composed from ../shared/data (see recordings.py for the held-out split) and
accessibility personas, fed through the collector's ingest path. Bots: every class of
bots.py driving Debian's Chromium on the quiz page served with the pixel and BotD. Prints a
Markdown table and writes JSON to bench/results/. With --quick, exits 1 if a gate fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench.detection import recordings
from bench.detection.botrun import run_bots
from bench.detection.bots import BOT_CLASSES
from bench.detection.humans import recorded_sessions
from bench.detection.ingest import Verdict, score_through_ingest
from bench.detection.personas import PERSONAS, RECORDED_PERSONAS, persona_sessions
from bench.detection.report import bot_rows, human_rows, markdown, roc_auc

from notai.bands import SCORE_BOT, SCORE_MEDIUM

RESULTS = Path(__file__).resolve().parents[1] / "results"
ALL_PERSONAS = (*PERSONAS, *RECORDED_PERSONAS)
GATE_DETECTED = {c.name for c in BOT_CLASSES if not c.humanised}
"""Classes every one of whose sessions must reach the bot band in the gate."""


def main() -> int:
    args = _arguments()
    started = time.monotonic()
    people = _people(args)
    holdout_scores = [
        v.bot_score for name, group in people.items() for v in group if name != "recorded-dev"
    ]
    bots: list[Verdict] = []
    errors: dict[str, list[str]] = {}
    if not args.skip_bots:
        classes = [c for c in BOT_CLASSES if not args.bots or c.name in args.bots.split(",")]
        if args.quick and not args.bots:
            # The gate checks what it can hold; classes no signal catches only cost time.
            classes = [c for c in classes if c.name in GATE_DETECTED]
        bots, errors = run_bots(classes, args.per_class, args.workers, args.seed)
    bot_table = bot_rows(bots, holdout_scores)
    human_table = human_rows(people)
    overall = roc_auc([v.bot_score for v in bots], holdout_scores)
    print(markdown(bot_table, human_table, overall))
    if errors:
        print("\ndriver errors:", json.dumps(errors, indent=1))
    elapsed = time.monotonic() - started
    _write(args, bot_table, human_table, overall, errors, elapsed)
    print(f"\n{elapsed:.0f} s on {os.cpu_count()} cores")
    return _gate(bots, people, errors) if args.quick else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.detection", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small run with pass/fail gates")
    parser.add_argument("--holdout", type=int, help="held-out recorded sessions (default all)")
    parser.add_argument("--dev", type=int, help="development recorded sessions")
    parser.add_argument("--personas", type=int, help="sessions per persona")
    parser.add_argument("--per-class", type=int, help="sessions per bot class")
    parser.add_argument("--bots", help="comma-separated bot classes (default all)")
    parser.add_argument("--workers", type=int, default=2, help="browsers driven at once")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--skip-bots", action="store_true")
    args = parser.parse_args()
    quick = args.quick
    args.holdout = args.holdout if args.holdout is not None else (300 if quick else 10**6)
    args.dev = args.dev if args.dev is not None else (0 if quick else 1000)
    args.personas = args.personas if args.personas is not None else (15 if quick else 100)
    args.per_class = args.per_class if args.per_class is not None else (1 if quick else 10)
    return args


def _people(args: argparse.Namespace) -> dict[str, list[Verdict]]:
    if not recordings.available():
        print("no recordings at ../shared/data: measuring the bots only", file=sys.stderr)
    sets: dict[str, list[Verdict]] = {}
    if recordings.available():
        sets["recorded-holdout"] = _score(recorded_sessions("holdout", args.holdout, args.seed))
        if args.dev:
            sets["recorded-dev"] = _score(recorded_sessions("dev", args.dev, args.seed))
        for name in ALL_PERSONAS:
            sets[f"persona:{name}"] = _score(
                persona_sessions(name, "holdout", args.personas, args.seed)
            )
    return sets


def _score(sessions: Any) -> list[Verdict]:
    return score_through_ingest((s.name, s.source, s.messages) for s in sessions)


def _write(
    args: argparse.Namespace,
    bots: list[dict[str, Any]],
    people: list[dict[str, Any]],
    overall: float,
    errors: dict[str, list[str]],
    elapsed: float,
) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"detection-{'quick' if args.quick else 'full'}-{stamp}.json"
    body = {
        "command": " ".join(sys.argv),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "held_out": {
            "balabit_users": sorted(recordings.HELD_OUT_BALABIT_USERS),
            "aalto_participants": f"id % {recordings.HELD_OUT_AALTO_MODULO} == 0",
        },
        "thresholds": {"bot": SCORE_BOT, "medium": SCORE_MEDIUM},
        "elapsed_s": round(elapsed, 1),
        "bots": bots,
        "people": people,
        "roc_auc": overall,
        "driver_errors": errors,
    }
    path.write_text(json.dumps(body, indent=1))
    print(f"written to {path}")


def _gate(
    bots: list[Verdict], people: dict[str, list[Verdict]], errors: dict[str, list[str]]
) -> int:
    failures = [f"{name}: {problem}" for name, found in errors.items() for problem in found]
    failures += [
        f"{name}: {sum(v.bot_score >= SCORE_BOT for v in group)} people at >= {SCORE_BOT}"
        for name, group in people.items()
        if any(v.bot_score >= SCORE_BOT for v in group)
    ]
    for v in bots:
        if v.source in GATE_DETECTED and v.bot_score < SCORE_BOT:
            failures.append(f"{v.name}: {v.bot_score} < {SCORE_BOT} ({', '.join(v.flags)})")
    for failure in failures:
        print("GATE FAILED:", failure)
    print("gate passed" if not failures else f"{len(failures)} gate failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
