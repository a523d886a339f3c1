"""Proof that a change to the detector leaves every verdict as it was.

Scores a fixed corpus and writes (`--save`) or compares (`--check`) a fingerprint of it: the
assessment (`botScore`, flags, evidence) after every batch of every session, and the final
running state. The corpus mixes the three kinds of session the detector meets:

- demo sessions (`notai.demo`: students and bots on Canvas pages), in the batches the demo
  pixel sends;
- the accessibility personas and recorded people of bench/detection (when the recordings
  in ../shared/data are there), cut into flushes of up to 50 messages;
- random sessions of every message type, with clocks that jump back and forth and batches
  delivered out of order, so that late-message paths (pending findings withdrawn) run too.

Each session is also folded whole and in random cuts, through the stored form of the state
as the collector does; those must end in the same state and verdict as the delivered
batches (the detector is a left fold), or the run fails.

    PYTHONPATH=. .venv/bin/python bench/detector_equivalence.py --save /tmp/verdicts.json
    PYTHONPATH=. .venv/bin/python bench/detector_equivalence.py --check /tmp/verdicts.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec

from notai import detect
from notai.demo import generate_demo
from notai.events import (
    Box,
    Clipboard,
    Close,
    Environment,
    Focus,
    FormSubmit,
    Heartbeat,
    Identify,
    Init,
    Input,
    KeyClass,
    Keypress,
    LmsContext,
    Message,
    MouseClick,
    MouseMove,
    Navigation,
    Scroll,
    Touch,
)

NOW_MS = 1_780_000_000_000
FLUSH = 50
Batches = list[list[Message]]


def demo_sessions(count: int) -> Iterator[tuple[str, Batches]]:
    demo = generate_demo("equivdem", users=60, sessions=count, seed=11, now_ms=NOW_MS)
    for index, session in enumerate(demo):
        yield f"demo-{index}-{session.kind}", [list(b.events) for _, b in session.batches]


def bench_sessions(count: int) -> Iterator[tuple[str, Batches]]:
    from bench.detection import recordings
    from bench.detection.humans import recorded_sessions
    from bench.detection.personas import PERSONAS, RECORDED_PERSONAS, persona_sessions

    if not recordings.available():
        print("no recordings at ../shared/data: personas left out", file=sys.stderr)
        return
    sets = [persona_sessions(name, "holdout", count, 3) for name in PERSONAS]
    sets += [persona_sessions(name, "holdout", count, 3) for name in RECORDED_PERSONAS]
    sets.append(recorded_sessions("holdout", count * 3, 3))
    for sessions in sets:
        for session in sessions:
            messages = session.messages
            yield session.name, [messages[i : i + FLUSH] for i in range(0, len(messages), FLUSH)]


def random_sessions(count: int, seed: int = 5) -> Iterator[tuple[str, Batches]]:
    rng = random.Random(seed)
    for index in range(count):
        messages = [
            _random_message(rng, seq, 1_700_000_000_000) for seq in range(rng.randint(1, 400))
        ]
        yield f"random-{index}", _random_cuts(rng, messages, shuffle=True)


_KEY_CLASSES: tuple[KeyClass, ...] = (
    "letter",
    "digit",
    "space",
    "backspace",
    "enter",
    "modifier",
    "other",
)
_INPUT_TYPES = (
    "insertText",
    "insertFromPaste",
    "",
    "insertCompositionText",
    "deleteContentBackward",
)


def _random_message(rng: random.Random, seq: int, t0: int) -> Message:
    t = t0 + seq * rng.choice((5, 40, 300)) + rng.randint(-3000, 3000)
    trusted = rng.random() > 0.1
    pick = rng.randrange(14)
    samples = [
        (i * rng.randint(0, 30), rng.randint(0, 2000), rng.randint(0, 4000))
        for i in range(rng.randint(1, 12))
    ]
    if pick == 0:
        env = Environment(
            userAgent=rng.choice(("Mozilla/5.0 Chrome/131", "Mozilla/5.0 HeadlessChrome/131", "")),
            webdriver=rng.choice((None, False, True)),
            automation=rng.choice(([], ["__playwright__binding__"], [" cdc_x ", ""])),
            platform=rng.choice(("Win32", "Linux x86_64", "")),
            webglRenderer=rng.choice(("", "SwiftShader", "ANGLE (Intel)")),
            brands=rng.choice(([], ["HeadlessChrome"], ["Chromium"])),
            touchPoints=rng.choice((0, 5)),
            plugins=rng.choice((0, 5)),
            cdpArtefacts=rng.choice((None, True, False)),
        )
        lms = (
            LmsContext(userId=str(rng.randint(1, 5)), courseId="7") if rng.random() < 0.5 else None
        )
        return Init(
            seq=seq, t=t, url="https://lms.example.edu/courses/7/quizzes/3", env=env, lms=lms
        )
    if pick in (1, 2):
        return MouseMove(
            seq=seq, t=t, samples=samples, coalesced=rng.choice((0, 5, 30)), trusted=trusted
        )
    if pick in (3, 4):
        box = Box(
            x=rng.randint(0, 900),
            y=rng.randint(0, 900),
            w=rng.randint(0, 400),
            h=rng.randint(0, 80),
        )
        return MouseClick(
            seq=seq,
            t=t,
            phase=rng.choice(("down", "up", "click")),
            x=rng.randint(0, 1200),
            y=rng.randint(0, 1200),
            button=rng.choice((0, 0, 0, 2)),
            target=box if rng.random() < 0.6 else None,
            pointer=rng.choice(("mouse", "mouse", "touch", "pen", "keyboard", "")),
            trusted=trusted,
        )
    if pick == 5:
        return Scroll(seq=seq, t=t, samples=samples, trusted=trusted)
    if pick in (6, 7):
        keys = []
        at = 0
        for _ in range(rng.randint(1, 15)):
            at += rng.choice((0, 3, 30, 90, 150, 400, 2000))
            up = rng.choice((-1, at, at + 5, at + 80))
            keys.append((at, up, rng.choice(_KEY_CLASSES)))
        return Keypress(seq=seq, t=t, keys=keys, untrusted=rng.choice((0, 0, 1)))
    if pick == 8:
        return Input(
            seq=seq,
            t=t,
            field=rng.choice(("q1", "q2", "q3", "essay")),
            inputType=rng.choice(_INPUT_TYPES),
            delta=rng.randint(-5, 300),
            trusted=trusted,
        )
    if pick == 9:
        return Clipboard(
            seq=seq, t=t, action=rng.choice(("paste", "copy")), length=rng.randint(0, 400)
        )
    if pick == 10:
        return Focus(
            seq=seq,
            t=t,
            kind=rng.choice(("focus", "blur", "visible", "hidden")),
            field=rng.choice(("", "q1")),
        )
    if pick == 11:
        return Navigation(
            seq=seq,
            t=t,
            url="https://lms.example.edu/x",
            kind=rng.choice(("load", "route", "back")),
        )
    if pick == 12:
        return Touch(
            seq=seq,
            t=t,
            phase=rng.choice(("start", "move", "end")),
            samples=samples,
            trusted=trusted,
        )
    return rng.choice(
        (
            FormSubmit(seq=seq, t=t, fields=rng.randint(0, 6)),
            Identify(seq=seq, t=t, lms=LmsContext(userId="9")),
            Heartbeat(seq=seq, t=t),
            Close(seq=seq, t=t),
        )
    )


def _random_cuts(rng: random.Random, messages: list[Message], *, shuffle: bool = False) -> Batches:
    """Messages cut at random places; with `shuffle`, each batch's order is scrambled too."""
    batches: Batches = []
    at = 0
    while at < len(messages):
        size = rng.randint(1, 60)
        batch = messages[at : at + size]
        if shuffle:
            rng.shuffle(batch)
        batches.append(batch)
        at += size
    return batches


# --- folding -------------------------------------------------------------------------------


def fold(batches: Sequence[Sequence[Message]]) -> tuple[list[Any], bytes]:
    """The verdict after each batch and the final state, through the stored form as stored."""
    stored = detect.encode_state(detect.new_state())
    verdicts = []
    for batch in batches:
        state = detect.observe(detect.decode_state(stored), batch)
        verdicts.append(_verdict(detect.assess(state)))
        stored = detect.encode_state(state)
    return verdicts, stored


def _verdict(assessment: detect.Assessment) -> list[Any]:
    return [assessment.bot_score, list(assessment.flags), assessment.evidence]


def _state_facts(stored: bytes) -> Any:
    """The state's values by field name, those at their defaults left out, as stored."""
    return msgspec.msgpack.decode(detect.encode_state(detect.decode_state(stored)))


def fingerprint(sessions: Iterator[tuple[str, Batches]]) -> tuple[dict[str, Any], int]:
    """Every session's verdicts and final state; checks that other cuts agree on the way."""
    rng = random.Random(17)
    found: dict[str, Any] = {}
    failures = 0
    for name, batches in sessions:
        verdicts, stored = fold(batches)
        everything = sorted((m for b in batches for m in b), key=lambda m: m.seq)
        for cut in ([everything], _random_cuts(rng, everything)):
            other, other_stored = fold(cut)
            if other[-1] != verdicts[-1] or other_stored != stored:
                print(f"{name}: another cut of its messages gives another verdict", file=sys.stderr)
                failures += 1
        found[name] = {"verdicts": verdicts, "state": _state_facts(stored)}
    return found, failures


def corpus(scale: int) -> Iterator[tuple[str, Batches]]:
    yield from demo_sessions(40 * scale)
    yield from bench_sessions(scale)
    yield from random_sessions(25 * scale)


def compare(saved: dict[str, Any], found: dict[str, Any]) -> int:
    differences = 0
    for name in sorted(saved.keys() | found.keys()):
        if saved.get(name) != found.get(name):
            differences += 1
            if differences <= 10:
                print(f"{name}: differs", file=sys.stderr)
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path, help="write the corpus's fingerprint here")
    action.add_argument("--check", type=Path, help="compare with a saved fingerprint")
    parser.add_argument("--scale", type=int, default=10, help="corpus size (10: ~900 sessions)")
    args = parser.parse_args()
    started = time.perf_counter()
    found, failures = fingerprint(corpus(args.scale))
    text = json.dumps(found, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    print(f"{len(found)} sessions, fingerprint {digest}, {time.perf_counter() - started:.1f} s")
    if args.save:
        args.save.write_text(text)
        return 1 if failures else 0
    differences = compare(json.loads(args.check.read_text()), json.loads(text))
    print(f"{differences} sessions differ from {args.check}; {failures} cut disagreements")
    return 1 if differences or failures else 0


if __name__ == "__main__":
    sys.exit(main())
