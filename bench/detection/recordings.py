"""Reading the real human recordings in ../shared/data (they never enter the repository).

- Balabit Mouse Dynamics Challenge data set, 2016: mouse sessions of 10 people. A session
  becomes a list of `PointerRecord` (ms since its start, what happened, where).
- Aalto "136 Million Keystrokes" (Dhakal et al., CHI 2018): a participant becomes a list of
  typed sentences, each a list of `KeyRecord` (press and release ms, key class, and whether
  it was a capital typed with neither Shift nor Caps Lock held). The key itself is read only
  to classify it, as the pixel does.

The held-out split is fixed here, by person, so that nothing tuned on the development part
sees it: Balabit users 29 and 35, and Aalto participants whose id is divisible by 5.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from notai.events import KeyClass

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "human"
BALABIT = DATA / "mouse-balabit"
AALTO = DATA / "keystrokes-aalto"
HELD_OUT_BALABIT_USERS = frozenset({"user29", "user35"})
HELD_OUT_AALTO_MODULO = 5

Split = Literal["dev", "holdout"]
PointerKind = Literal["move", "down", "up", "wheel_down", "wheel_up"]


@dataclass(frozen=True)
class PointerRecord:
    ms: int
    kind: PointerKind
    x: int
    y: int
    button: int = 0


@dataclass(frozen=True)
class KeyRecord:
    down_ms: int
    up_ms: int
    key: KeyClass
    shiftless: bool = False
    """A capital letter pressed while no Shift was down and Caps Lock was not toggled on, as
    far as the recording tells: what the pixel counts as `shiftless`."""


def available() -> bool:
    return BALABIT.is_dir() and AALTO.is_dir()


def balabit_split(user: str) -> Split:
    return "holdout" if user in HELD_OUT_BALABIT_USERS else "dev"


def aalto_split(participant: int) -> Split:
    return "holdout" if participant % HELD_OUT_AALTO_MODULO == 0 else "dev"


# --- mouse ---------------------------------------------------------------------------------------


def balabit_sessions(split: Split) -> Iterator[tuple[str, list[PointerRecord]]]:
    """(`userN/session_ID`, records) of every Balabit session in `split`, in a fixed order."""
    for user_dir in sorted(BALABIT.iterdir()):
        if balabit_split(user_dir.name) != split:
            continue
        for path in sorted(user_dir.glob("session_*.csv.gz")):
            name = f"{user_dir.name}/{path.name.removesuffix('.csv.gz')}"
            yield name, read_balabit(path)


_BALABIT_KIND: dict[tuple[str, str], PointerKind] = {
    ("NoButton", "Move"): "move",
    ("NoButton", "Drag"): "move",
    ("Left", "Pressed"): "down",
    ("Left", "Released"): "up",
    ("Right", "Pressed"): "down",
    ("Right", "Released"): "up",
    ("Scroll", "Down"): "wheel_down",
    ("Scroll", "Up"): "wheel_up",
}


def read_balabit(path: Path) -> list[PointerRecord]:
    """A session's records in time order; the client clock, in ms."""
    records = []
    with gzip.open(path, "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            kind = _BALABIT_KIND.get((row["button"], row["state"]))
            if kind is None:
                continue
            button = 2 if row["button"] == "Right" else 0
            records.append(
                PointerRecord(
                    ms=round(float(row["client timestamp"]) * 1000),
                    kind=kind,
                    x=int(row["x"]),
                    y=int(row["y"]),
                    button=button,
                )
            )
    records.sort(key=lambda r: r.ms)  # stable: simultaneous records keep their order
    return records


# --- keys ----------------------------------------------------------------------------------------


def aalto_participants(split: Split) -> Iterator[tuple[int, Path]]:
    for path in sorted(AALTO.glob("*_keystrokes.txt.gz")):
        participant = int(path.name.split("_", 1)[0])
        if aalto_split(participant) == split:
            yield participant, path


def key_class(letter: str, keycode: int) -> KeyClass:
    """The pixel's key class, from the recorded key (used for nothing else)."""
    if keycode in (16, 17, 18, 20, 91, 92, 93, 225):
        return "modifier"
    if keycode in (8, 46):
        return "backspace"
    if keycode == 13:
        return "enter"
    if keycode == 32:
        return "space"
    if len(letter) == 1 and letter.isdigit():
        return "digit"
    if len(letter) == 1 and letter.isalpha():
        return "letter"
    return "other"


_RawKey = tuple[int, int, KeyClass, str, int]
"""Press and release ms, key class, the recorded letter and key code."""


def read_aalto(path: Path) -> list[list[KeyRecord]]:
    """The participant's sentences, each its keys in press order, ms from the first press."""
    sentences: dict[str, list[_RawKey]] = {}
    with gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for row in reader:
            if len(row) < 9:
                continue
            try:
                press, release, keycode = int(row[5]), int(row[6]), int(row[8])
            except ValueError:
                continue
            key = (press, release, key_class(row[7], keycode), row[7], keycode)
            sentences.setdefault(row[1], []).append(key)
    typed = []
    for keys in sentences.values():
        keys.sort()
        start = keys[0][0]
        shiftless = _shiftless_capitals(keys)
        typed.append(
            [
                KeyRecord(p - start, r - start, c, (p, r) in shiftless)
                for p, r, c, _, _ in keys
                if r >= p
            ]
        )
    return [s for s in typed if len(s) >= 5]


SHIFT_KEYCODE, CAPS_LOCK_KEYCODE = 16, 20


def _shiftless_capitals(keys: list[_RawKey]) -> set[tuple[int, int]]:
    """The (press, release) of capitals typed with no Shift down and Caps Lock not on.

    The recording does not say whether Caps Lock was on, which the pixel reads from the
    browser: in a sentence where Caps Lock was pressed, its state is unknown and no key
    counts (the recorded letters of such sentences show it toggled in ways a parity count
    cannot follow). Where it was never pressed it is taken as off, so a person who types a
    whole sentence with it on counts against the detector, never for it. Some participants'
    letters are all recorded in capitals (the recorder wrote the key code's character): their
    case says nothing, and no key of such a sentence counts either.
    """
    letters = [letter for _, _, key, letter, _ in keys if key == "letter"]
    caps_lock = any(code == CAPS_LOCK_KEYCODE for *_, code in keys)
    if caps_lock or not any(letter != letter.upper() for letter in letters):
        return set()
    shifts = [(p, r) for p, r, _, _, code in keys if code == SHIFT_KEYCODE]
    return {
        (press, release)
        for press, release, key, letter, _ in keys
        if key == "letter"
        and letter != letter.lower()
        and not any(down <= press <= up for down, up in shifts)
    }
