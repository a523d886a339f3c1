"""Press buttons of a page in Chromium through AT-SPI, as a screen reader on Linux does.

Run by Debian's own Python (`/usr/bin/python3`, which has `pyatspi` from the python3-pyatspi
package), not by the project's: `python3 atspi_press.py SECONDS NAME...` waits SECONDS
before each press, then performs the default action of the button named NAME, the way Orca
activates a control. Prints one line per press.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import pyatspi  # type: ignore[import-not-found]

BUTTON_ROLES = ("push button", "toggle button")
FIND_TIMEOUT_S = 30.0


def _find(node: Any, name: str) -> Any:
    """The first button named `name` under `node`, depth first (None if there is none)."""
    try:
        if node.getRoleName() in BUTTON_ROLES and node.name == name:
            return node
        for child in node:
            found = _find(child, name)
            if found is not None:
                return found
    except Exception:  # nodes vanish while the page changes; search again next round
        return None
    return None


def _button(name: str) -> Any:
    deadline = time.monotonic() + FIND_TIMEOUT_S
    while time.monotonic() < deadline:
        for app in pyatspi.Registry.getDesktop(0):
            if app is not None and "hromium" in (app.name or ""):
                found = _find(app, name)
                if found is not None:
                    return found
        time.sleep(0.5)
    raise SystemExit(f"no button named {name!r} in Chromium's accessibility tree")


def main(pause_s: float, names: list[str]) -> None:
    buttons = [_button(name) for name in names]  # found first, so the pauses stay exact
    for name, button in zip(names, buttons, strict=True):
        time.sleep(pause_s)
        button.queryAction().doAction(0)
        print(f"pressed {name}", flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2:])
