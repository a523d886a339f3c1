"""The quiz a bench session answers, and the browsers people answer it in.

The same quiz as the bots' page (pages/quiz.html): six multiple-choice questions, two short
answers, one essay and a submit button, in a page taller than the window. Human sessions
are composed against this plan; bots answer the served page itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from notai.demo.devices import BROWSER_BARS
from notai.events import Box, Environment, LmsContext, Size

TargetKind = Literal["choice", "radio", "short", "essay", "submit"]
PAGE_HEIGHT = 2600
BASE_T = 1_780_000_000_000


@dataclass(frozen=True)
class Step:
    """One thing to do on the quiz: press a target of this kind for this field."""

    kind: TargetKind
    field: str


PLAN: tuple[Step, ...] = (
    Step("choice", "mc_1"),
    Step("choice", "mc_2"),
    Step("choice", "mc_3"),
    Step("short", "short_1"),
    Step("choice", "mc_4"),
    Step("choice", "mc_5"),
    Step("short", "short_2"),
    Step("choice", "mc_6"),
    Step("essay", "essay"),
    Step("submit", ""),
)
TEXT_SENTENCES = {"short": (1, 1), "essay": (2, 3)}


def target_size(rng: random.Random, kind: TargetKind) -> tuple[int, int]:
    """A plausible box for a control of this kind (labels vary with their text)."""
    if kind == "choice":
        return (rng.randint(120, 420), rng.randint(24, 36))
    if kind == "radio":
        return (13, 13)
    if kind == "short":
        return (320, 34)
    if kind == "essay":
        return (700, 110)
    return (rng.randint(110, 150), rng.randint(36, 44))


def aimed_box(rng: random.Random, kind: TargetKind, x: int, y: int) -> Box:
    """A target box around a press at (x, y), placed as people's presses fall on targets.

    People's presses spread around a target's centre with a standard deviation of about a
    quarter of its size (Fitts' effective width, 4.133 sd); the press stays inside the box.
    """
    if kind == "choice" and rng.random() < 0.3:
        kind = "radio"
    w, h = target_size(rng, kind)
    dx = max(-w / 2 + 1, min(w / 2 - 1, rng.gauss(0, w / 4.133)))
    dy = max(-h / 2 + 1, min(h / 2 - 1, rng.gauss(0, h / 4.133)))
    return Box(x=round(x - dx - w / 2), y=round(y - dy - h / 2), w=w, h=h)


def centred_box(rng: random.Random, kind: TargetKind, cx: int, cy: int) -> Box:
    w, h = target_size(rng, kind)
    return Box(x=round(cx - w / 2), y=round(cy - h / 2), w=w, h=h)


# --- the people's browsers -----------------------------------------------------------------------

_GPU = (
    "ANGLE (Intel, Intel(R) UHD Graphics 620 Direct3D11 vs_5_0 ps_5_0, D3D11)",
    "ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)",
    "ANGLE (AMD, AMD Radeon(TM) Graphics Direct3D11 vs_5_0 ps_5_0, D3D11)",
    "ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)",
    "Mesa Intel(R) UHD Graphics (CML GT2)",
    "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)",
)


@dataclass(frozen=True)
class Browser:
    name: str
    user_agent: str
    platform: str
    brands: tuple[str, ...]
    screen: tuple[int, int]
    viewport: tuple[int, int]
    plugins: int
    touch_points: int = 0
    mobile: bool = False


DESKTOP_BROWSERS: tuple[Browser, ...] = (
    Browser(
        "chrome-windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/142.0.0.0 Safari/537.36",
        "Win32",
        ("Chromium", "Google Chrome", "Not_A Brand"),
        (1920, 1080),
        (1903, 937),
        5,
    ),
    Browser(
        "edge-windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
        "Win32",
        ("Chromium", "Microsoft Edge", "Not_A Brand"),
        (1536, 864),
        (1519, 730),
        5,
    ),
    Browser(
        "chrome-mac",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/142.0.0.0 Safari/537.36",
        "MacIntel",
        ("Chromium", "Google Chrome", "Not_A Brand"),
        (1440, 900),
        (1440, 789),
        5,
    ),
    Browser(
        "safari-mac",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Safari/605.1.15",
        "MacIntel",
        (),
        (1512, 982),
        (1512, 862),
        5,
    ),
    Browser(
        "firefox-linux",
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Linux x86_64",
        (),
        (1920, 1080),
        (1920, 955),
        5,
    ),
    Browser(
        "chrome-chromebook",
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/142.0.0.0 Safari/537.36",
        "Linux x86_64",
        ("Chromium", "Google Chrome", "Not_A Brand"),
        (1366, 768),
        (1366, 657),
        5,
    ),
)
TOUCH_BROWSERS: tuple[Browser, ...] = (
    Browser(
        "safari-ipad",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Mobile/15E148 Safari/604.1",
        "MacIntel",
        (),
        (1024, 1366),
        (1024, 1292),
        5,
        touch_points=5,
    ),
    Browser(
        "chrome-android",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/142.0.0.0 Mobile Safari/537.36",
        "Linux armv81",
        ("Chromium", "Google Chrome", "Not_A Brand"),
        (412, 915),
        (412, 780),
        0,
        touch_points=5,
        mobile=True,
    ),
)


def environment(rng: random.Random, browser: Browser, *, devtools: bool = False) -> Environment:
    chromium = bool(browser.brands)
    return Environment(
        userAgent=browser.user_agent,
        webdriver=False,
        platform=browser.platform,
        languages=rng.choice([["en-US", "en"], ["en-GB", "en"], ["fi-FI", "fi", "en"]]),
        timezone=rng.choice(["America/New_York", "Europe/Helsinki", "Europe/London"]),
        screen=Size(w=browser.screen[0], h=browser.screen[1]),
        viewport=Size(w=browser.viewport[0], h=browser.viewport[1]),
        outer=Size(w=browser.viewport[0], h=browser.viewport[1] + BROWSER_BARS),
        fullscreen=False,
        pixelRatio=rng.choice([1.0, 1.25, 2.0]),
        plugins=browser.plugins,
        webglRenderer=rng.choice(_GPU),
        hardwareConcurrency=rng.choice([4, 8, 12]),
        touchPoints=browser.touch_points,
        brands=list(browser.brands),
        mobile=browser.mobile if chromium else None,
        cdpArtefacts=devtools,
    )


def lms_context(user: str) -> LmsContext:
    return LmsContext(
        provider="canvas",
        userId=user,
        userName=f"Student {user}",
        userUrl=f"https://canvas.example.edu/about/{user}",
        courseId="404",
    )


QUIZ_URL = "https://canvas.example.edu/courses/404/quizzes/4/take"
