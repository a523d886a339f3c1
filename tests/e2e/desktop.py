"""A Linux desktop for a headed Chromium with assistive technology: Xvfb, D-Bus and AT-SPI.

Chromium exposes its pages to screen readers on Linux over AT-SPI (the bus Orca uses). With
an X display, a session bus and the AT-SPI bus running, a test can activate a control the
way a screen reader does and see what the page receives. The X server's keyboard is a
person's keyboard as far as Chromium can tell: `xdotool` presses its keys (through the XTEST
extension, the way on-screen keyboards do) and `xkbset` turns on its accessibility features
such as Sticky Keys. `scripts/ensure-chromium` installs the pieces (xvfb, dbus-x11,
at-spi2-core, python3-pyatspi, xdotool, xkbset).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

from e2e.support import CHROMIUM

AT_SPI_BUS = Path("/usr/libexec/at-spi-bus-launcher")
SYSTEM_PYTHON = Path("/usr/bin/python3")
PRESS_SCRIPT = Path(__file__).parent / "atspi_press.py"
PIECES = "scripts/ensure-chromium installs them"
X11_SOCKETS = Path("/tmp/.X11-unix")  # noqa: S108 (where every X server puts its socket)


@dataclass
class Desktop:
    """The environment of a running desktop, and the processes that make it."""

    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    bus_pid: int = 0

    def press(self, pause_s: float, names: list[str]) -> str:
        """Activate the buttons named `names` through AT-SPI, `pause_s` seconds apart."""
        done = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
            [str(SYSTEM_PYTHON), str(PRESS_SCRIPT), str(pause_s), *names],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60 + pause_s * len(names),
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def keyboard(self, *args: str) -> None:
        """Run `xdotool` with `args` on this display: keys as the X server's keyboard sends them."""
        self._run("xdotool", *args)

    def accessibility(self, *args: str) -> None:
        """Run `xkbset` with `args`: the keyboard's accessibility features (Sticky Keys...)."""
        self._run("xkbset", *args)

    def focus_window(self, title: str) -> None:
        """Give the keyboard to the window titled `title` (no window manager does it here)."""
        self.keyboard("search", "--sync", "--name", f"^{title}", "windowfocus", "--sync")

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(  # noqa: S603 (fixed tools; arguments from the tests)
            [_tool(tool), *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
            process.wait(timeout=10)
        if self.bus_pid:
            os.kill(self.bus_pid, signal.SIGTERM)


def _tool(name: str) -> str:
    return shutil.which(name) or name


def _missing() -> list[str]:
    tools = ("Xvfb", "dbus-launch", "xdotool", "xkbset")
    missing = [name for name in tools if shutil.which(name) is None]
    missing += [str(p) for p in (AT_SPI_BUS, SYSTEM_PYTHON) if not p.exists()]
    if SYSTEM_PYTHON.exists():
        probe = subprocess.run(  # noqa: S603 (fixed arguments)
            [str(SYSTEM_PYTHON), "-c", "import pyatspi"], capture_output=True, check=False
        )
        if probe.returncode != 0:
            missing.append("pyatspi for /usr/bin/python3")
    return missing


def _free_display() -> int:
    for number in range(90, 190):
        if not (X11_SOCKETS / f"X{number}").exists():
            return number
    raise RuntimeError("no free X display number between :90 and :189")


def _session_bus(env: dict[str, str]) -> tuple[str, int]:
    """Start a D-Bus session bus: its address and its process id."""
    out = subprocess.run(  # noqa: S603 (fixed arguments)
        [_tool("dbus-launch")], env=env, capture_output=True, text=True, check=True
    ).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return values["DBUS_SESSION_BUS_ADDRESS"], int(values["DBUS_SESSION_BUS_PID"])


def _wait_for_display(display: str) -> None:
    socket = X11_SOCKETS / f"X{display.lstrip(':')}"
    deadline = time.monotonic() + 15
    while not socket.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Xvfb did not open display {display}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def desktop() -> Iterator[Desktop]:
    """An X display with a session bus and the AT-SPI accessibility bus."""
    missing = _missing()
    if missing:
        pytest.fail(f"missing for the assistive-technology tests: {missing} ({PIECES})")
    display = f":{_free_display()}"
    env = {**os.environ, "DISPLAY": display}
    screen = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [_tool("Xvfb"), display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    running = Desktop(env=env, processes=[screen])
    try:
        _wait_for_display(display)
        env["DBUS_SESSION_BUS_ADDRESS"], running.bus_pid = _session_bus(env)
        # Ask toolkits and Chromium to talk to the accessibility bus.
        env.update({"NO_AT_BRIDGE": "0", "ACCESSIBILITY_ENABLED": "1"})
        running.processes.append(
            subprocess.Popen(  # noqa: S603 (fixed arguments)
                [str(AT_SPI_BUS), "--launch-immediately"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def desktop_browser(playwright: Playwright, desktop: Desktop) -> Iterator[Browser]:
    """A headed Chromium on the desktop, with its accessibility tree on AT-SPI.

    It does not say it is automated (no `--enable-automation`, no `webdriver`): what the
    detector sees of it is what people's browsers and the tools that drive them share.
    """
    env: dict[str, str | float | bool] = {**desktop.env}
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=False,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--force-renderer-accessibility",
            "--disable-blink-features=AutomationControlled",
        ],
        ignore_default_args=["--enable-automation"],
        env=env,
    )
    yield browser
    browser.close()
