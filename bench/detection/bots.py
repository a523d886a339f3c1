"""Bot sessions: real automation of Debian's Chromium answering the served quiz page.

Every class drives the same page (with the pixel and BotD in it) through Playwright. A class
is a browser set-up (how Chromium is launched and what it hides) and a driver (how it acts
on the page). Set-ups:

- `default`: Playwright's own launch, headless: it says it is automated (webdriver, the
  HeadlessChrome user agent).
- `stealth`: automation flags off (`--disable-blink-features=AutomationControlled`, no
  `--enable-automation`), a user agent without "Headless", webdriver hidden.
- `stealth_screen`: `stealth`, and a 1920x1080 screen behind the page, where Playwright
  otherwise reports the page's viewport as the whole screen.
- `stealth_window`: `stealth`, with no page size set at all: Chromium's own window at a
  desktop size (`--window-size`) on a 1920x1080 screen (`--screen-info`), so the window,
  the page and the screen relate as in a person's browser.
- `stealth_init`: Playwright's launch with webdriver hidden by an init script instead.
- `headed`: a real window under Xvfb with the stealth flags (no headless trace at all).

Drivers that move like a person (curved paths, random delays, key rhythm) are the
"humanised" classes; the others act as tools act.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bench.detection.site import CHOICES
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

Setup = Literal["default", "stealth", "stealth_screen", "stealth_window", "stealth_init", "headed"]
CHROMIUM = "/usr/bin/chromium"
BASE_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEALTH_ARGS = ["--disable-blink-features=AutomationControlled"]
WINDOW_ARGS = ["--window-size=1500,950", "--screen-info={1920x1080}"]
HIDE_WEBDRIVER = "Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false });"
ANSWERS = {
    "short_1": "photosynthesis",
    "short_2": "DNA",
    "essay": "Cells divide so that an organism can grow, replace damaged cells and reproduce.",
}
CHOICE_FIELDS = [f"#mc_{n}_0" for n in range(1, len(CHOICES) + 1)]
STEPS = [*CHOICE_FIELDS[:3], "#short_1", *CHOICE_FIELDS[3:5], "#short_2", CHOICE_FIELDS[5]]
STEPS += ["#essay", "#submit"]


def launch(driver: Playwright, setup: Setup) -> Browser:
    if setup == "default":
        return driver.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", *BASE_ARGS])
    if setup == "stealth_init":
        return driver.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", *BASE_ARGS])
    if setup in ("stealth", "stealth_screen", "stealth_window"):
        window = WINDOW_ARGS if setup == "stealth_window" else []
        return driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless=new", *BASE_ARGS, *STEALTH_ARGS, *window],
            ignore_default_args=["--enable-automation"],
        )
    return driver.chromium.launch(
        executable_path=CHROMIUM,
        headless=False,
        args=[*BASE_ARGS, *STEALTH_ARGS],
        ignore_default_args=["--enable-automation"],
    )


def new_context(browser: Browser, setup: Setup) -> BrowserContext:
    if setup == "default":
        return browser.new_context()
    probe = browser.new_context()
    page = probe.new_page()
    agent = page.evaluate("navigator.userAgent").replace("HeadlessChrome", "Chrome")
    probe.close()
    if setup == "stealth_window":
        return browser.new_context(user_agent=agent, no_viewport=True)
    context = browser.new_context(
        user_agent=agent,
        screen={"width": 1920, "height": 1080} if setup == "stealth_screen" else None,
    )
    if setup == "stealth_init":
        context.add_init_script(HIDE_WEBDRIVER)
    return context


# --- how tools act -------------------------------------------------------------------------------


@dataclass
class Actor:
    page: Page
    rng: random.Random
    x: float = 10.0
    y: float = 10.0

    def think(self, low_s: float, high_s: float) -> None:
        self.page.wait_for_timeout(self.rng.uniform(low_s, high_s) * 1000)


def plain(actor: Actor) -> None:
    """Playwright as scripts use it: click, fill, click, with no waiting."""
    page = actor.page
    for selector in STEPS:
        name = selector[1:]
        if name in ANSWERS:
            page.fill(selector, ANSWERS[name])
        else:
            page.click(selector)


def insert_text(actor: Actor) -> None:
    """Clicks through Playwright; text through the DevTools protocol's Input.insertText."""
    page = actor.page
    cdp = page.context.new_cdp_session(page)
    for selector in STEPS:
        page.click(selector)
        if selector[1:] in ANSWERS:
            cdp.send("Input.insertText", {"text": ANSWERS[selector[1:]]})


def keys_at(gap: Callable[[random.Random], float], hold_ms: float = 0) -> Callable[[Actor], None]:
    """Per-key typing (key down, key up) with machine gaps from `gap`."""

    def drive(actor: Actor) -> None:
        page = actor.page
        for selector in STEPS:
            page.click(selector)
            for char in ANSWERS.get(selector[1:], ""):
                page.keyboard.press(char if char != " " else "Space", delay=hold_ms)
                page.wait_for_timeout(gap(actor.rng))

    return drive


def programmatic(actor: Actor) -> None:
    """Values set from page script (`el.value = ...`, an input event, `el.click()`)."""
    actor.page.evaluate(
        """(answers) => {
          for (const [id, text] of Object.entries(answers)) {
            const el = document.getElementById(id);
            el.focus(); el.value = text;
            el.dispatchEvent(new Event('input', { bubbles: true }));
          }
          document.querySelectorAll('input[type=radio][id$="_0"]').forEach((r) => r.click());
          document.getElementById('submit').click();
        }""",
        ANSWERS,
    )


def paste_fill(actor: Actor) -> None:
    """Each answer put on the clipboard and pasted with Ctrl+V into the clicked field."""
    page = actor.page
    for selector in STEPS:
        page.click(selector)
        text = ANSWERS.get(selector[1:])
        if text:
            page.evaluate("(t) => navigator.clipboard.writeText(t)", text)
            page.keyboard.press("Control+V")


def synthetic(actor: Actor) -> None:
    """Everything through `dispatchEvent` from the page: mouse and key events, values."""
    actor.page.evaluate(
        """(answers) => {
          const fire = (el, type, Kind, init) =>
            el.dispatchEvent(new Kind(type, { bubbles: true, cancelable: true, ...init }));
          const press = (el) => {
            const r = el.getBoundingClientRect();
            const at = { clientX: r.x + r.width / 2, clientY: r.y + r.height / 2 };
            for (const t of ['mousedown', 'mouseup', 'click']) fire(el, t, MouseEvent, at);
          };
          document.querySelectorAll('input[type=radio][id$="_0"]').forEach(press);
          for (const [id, text] of Object.entries(answers)) {
            const el = document.getElementById(id);
            press(el); el.focus();
            for (const ch of text) {
              fire(el, 'keydown', KeyboardEvent, { key: ch });
              el.value += ch;
              fire(el, 'input', InputEvent, { inputType: 'insertText', data: ch });
              fire(el, 'keyup', KeyboardEvent, { key: ch });
            }
          }
          press(document.getElementById('submit'));
          document.getElementById('quiz').requestSubmit();
        }""",
        ANSWERS,
    )


def paced(inner: Callable[[Actor], None], low_s: float, high_s: float) -> Callable[[Actor], None]:
    """Think-then-act: an agent waits for its model before every step, then acts at once."""

    def drive(actor: Actor) -> None:
        original = actor.page.click

        def click_after_thinking(selector: str, **kwargs: object) -> None:
            actor.think(low_s, high_s)
            original(selector, **kwargs)  # type: ignore[arg-type]

        actor.page.click = click_after_thinking  # type: ignore[method-assign]
        original_fill = actor.page.fill

        def fill_after_thinking(selector: str, value: str, **kwargs: object) -> None:
            actor.think(low_s, high_s)
            original_fill(selector, value, **kwargs)  # type: ignore[arg-type]

        actor.page.fill = fill_after_thinking  # type: ignore[method-assign]
        inner(actor)

    return drive


# --- how humanised tools act ---------------------------------------------------------------------


def _move(actor: Actor, x: float, y: float) -> None:
    """A curved, eased path with a little jitter, one mouse event every 6-18 ms."""
    sx, sy, rng = actor.x, actor.y, actor.rng
    distance = math.hypot(x - sx, y - sy)
    steps = max(8, int(distance / 12))
    bend = rng.uniform(-0.3, 0.3) * distance
    nx, ny = -(y - sy), x - sx
    norm = math.hypot(nx, ny) or 1.0
    cx, cy = (sx + x) / 2 + bend * nx / norm, (sy + y) / 2 + bend * ny / norm
    for step in range(1, steps + 1):
        u = (1 - math.cos(math.pi * step / steps)) / 2
        px = (1 - u) ** 2 * sx + 2 * (1 - u) * u * cx + u**2 * x + rng.uniform(-0.8, 0.8)
        py = (1 - u) ** 2 * sy + 2 * (1 - u) * u * cy + u**2 * y + rng.uniform(-0.8, 0.8)
        actor.page.mouse.move(px, py)
        actor.page.wait_for_timeout(rng.uniform(6, 18))
    actor.x, actor.y = x, y


def _human_click(actor: Actor, selector: str) -> None:
    page, rng = actor.page, actor.rng
    locator = page.locator(selector)
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None, selector
    page.wait_for_timeout(rng.uniform(250, 700))
    _move(
        actor,
        box["x"] + box["width"] * rng.uniform(0.25, 0.75),
        box["y"] + box["height"] * rng.uniform(0.25, 0.75),
    )
    page.wait_for_timeout(rng.uniform(60, 200))
    page.mouse.down()
    page.wait_for_timeout(rng.uniform(60, 140))
    page.mouse.up()


def _human_type(actor: Actor, text: str) -> None:
    page, rng = actor.page, actor.rng
    for char in text:
        page.keyboard.press(char if char != " " else "Space", delay=rng.uniform(45, 110))
        page.wait_for_timeout(rng.uniform(120, 320) if char == " " else rng.uniform(60, 220))


def humanised(actor: Actor, pace: tuple[float, float] | None = None) -> None:
    """Curved pointer paths, aim off centre, random delays, per-key rhythm."""
    for selector in STEPS:
        if pace:
            actor.think(*pace)
        _human_click(actor, selector)
        _human_type(actor, ANSWERS.get(selector[1:], ""))


# --- the classes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BotClass:
    name: str
    setup: Setup
    drive: Callable[[Actor], None]
    humanised: bool = False
    clipboard: bool = False


BOT_CLASSES: tuple[BotClass, ...] = (
    BotClass("playwright_plain", "default", plain),
    BotClass("playwright_stealth", "stealth", plain),
    BotClass("playwright_init_script", "stealth_init", plain),
    BotClass("playwright_headed_xvfb", "headed", plain),
    BotClass("cdp_insert_text", "stealth", insert_text),
    BotClass("keys_fixed_cadence", "stealth", keys_at(lambda rng: 30.0, hold_ms=30)),
    BotClass("keys_jittered_cadence", "stealth", keys_at(lambda rng: rng.uniform(20, 120))),
    BotClass("programmatic_fill", "stealth", programmatic),
    BotClass("paste_fill", "stealth", paste_fill, clipboard=True),
    BotClass("synthetic_dispatch", "stealth", synthetic),
    BotClass("agent_think_then_act", "stealth", paced(plain, 2.5, 6.0)),
    BotClass("agent_insert_text_paced", "headed", paced(insert_text, 2.5, 6.0)),
    BotClass("humanised", "default", humanised, humanised=True),
    BotClass("humanised_stealth", "stealth", humanised, humanised=True),
    BotClass("humanised_stealth_screen", "stealth_screen", humanised, humanised=True),
    BotClass("humanised_stealth_window", "stealth_window", humanised, humanised=True),
    BotClass("humanised_headed_xvfb", "headed", humanised, humanised=True),
    BotClass(
        "humanised_agent_paced",
        "stealth",
        lambda actor: humanised(actor, (2.5, 6.0)),
        humanised=True,
    ),
)
