"""A short, human-readable summary of a user-agent string: `Chrome 131 on Windows`."""

from __future__ import annotations

import re

# Order matters: Edge and Opera say "Chrome" too; Chrome says "Safari" too.
_BROWSERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Headless Chrome", re.compile(r"HeadlessChrome/(\d+)")),
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"OPR/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS)/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/")),
)
_SYSTEMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iPadOS", re.compile(r"iPad")),
    ("iOS", re.compile(r"iPhone|iPod")),
    ("Android", re.compile(r"Android")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("Linux", re.compile(r"Linux")),
)


def summarize_user_agent(user_agent: str) -> str:
    """Browser, major version and system; `Unknown` when the string says nothing useful."""
    browser = next(
        (f"{name} {m.group(1)}" for name, rx in _BROWSERS if (m := rx.search(user_agent))),
        None,
    )
    system = next((name for name, rx in _SYSTEMS if rx.search(user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or ("Unknown" if not user_agent else "Other")


def device_class(user_agent: str) -> str:
    """`mobile`, `tablet` or `desktop`, for device breakdowns."""
    if re.search(r"iPad|Tablet|Android(?!.*Mobile)", user_agent):
        return "tablet"
    if re.search(r"Mobile|iPhone|iPod|Android", user_agent):
        return "mobile"
    return "desktop"


def browser_name(user_agent: str) -> str:
    """The browser family alone (`Chrome`, `Headless Chrome`), for browser counts."""
    return next(
        (name for name, rx in _BROWSERS if rx.search(user_agent)), "Other" if user_agent else ""
    )
