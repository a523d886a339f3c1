"""The compiled detector: the fold's modules built with mypyc, used only while they match.

The fold (`state`, `tracking`, `observe`) runs for every event the collector accepts and
was about half of its CPU as plain Python. `scripts/build-native` (run by `make install`)
compiles those modules with mypyc into `_native/` beside this file, with a digest of the
sources it compiled. The package puts that folder first on its search path when the digest
still matches the sources, so an edited module never runs as an older build: a stale or
missing build means the plain Python modules run, which give the same verdicts
(tests/unit/detect/test_detect_native.py) at about twice the cost.

`NOTAI_DETECTOR=python` turns the build off; tests use it to compare the two.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

MODULES = ("state", "tracking", "observe")
"""The modules compiled: the evidence classes, and the code that updates them per message."""
GROUP = "notai.detect.native"
"""mypyc's name for the compiled group; its shared library is `native__mypyc`."""
BUILD_DIR = Path(__file__).with_name("_native")
DIGEST_FILE = "SOURCES"
SWITCH = "NOTAI_DETECTOR"


def source_files() -> list[Path]:
    """What a build depends on: the detector's modules and the event types they read."""
    package = Path(__file__).parent
    return [*sorted(package.glob("*.py")), package.parent / "events.py"]


def source_digest() -> str:
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


status = "not chosen yet"
"""What `use_build` decided, in words for a person (`notai serve` prints it)."""


class StaleBuildWarning(UserWarning):
    """The compiled detector was built from other sources; the plain modules run instead."""


def use_build(package_path: list[str]) -> bool:
    """Put a current build first on the package's search path; whether one is in use.

    Called by `notai.detect` before it imports any of `MODULES`.
    """
    global status  # decided once, when the package is imported
    if os.environ.get(SWITCH, "") == "python":
        status = f"plain Python ({SWITCH}=python)"
        return False
    try:
        built_from = (BUILD_DIR / DIGEST_FILE).read_text().strip()
    except FileNotFoundError:
        status = "plain Python (no compiled build: make native)"
        return False
    if built_from != source_digest():
        status = "plain Python (the compiled build is stale: make native)"
        warnings.warn(
            f"the compiled detector in {BUILD_DIR} was built from other sources; running "
            "the plain modules (rebuild with `make native`)",
            StaleBuildWarning,
            stacklevel=2,
        )
        return False
    package_path.insert(0, str(BUILD_DIR))
    status = "compiled (mypyc)"
    return True
