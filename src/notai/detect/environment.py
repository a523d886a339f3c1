"""Environmental signals: does what the browser says about itself hang together?

Read once per `init` message into `EnvironmentFacts`. Real browsers are consistent: a
Windows user agent comes with `navigator.platform` `Win32`, a Chrome user agent with a
`Chromium` client-hint brand. Automation that rewrites the user agent rarely rewrites every
other trace. None of these is conclusive: privacy extensions rewrite user agents, kiosk and
enterprise policies remove plugins, virtual machines render without a GPU, and DevTools'
device emulation makes a desktop pretend to be a phone. So environmental findings stay below
the bot band, count as one family, and the weakest only corroborate other findings.
"""

from __future__ import annotations

import re

import msgspec

from notai.detect.signals import CORROBORATING, Evidence, Finding
from notai.detect.state import DetectorState, EnvironmentFacts
from notai.events import Environment, Size

MAX_FACTS = 8
ENVIRONMENT = "environment"

_UA_SYSTEMS = (
    ("windows", re.compile(r"Windows NT|Windows Phone")),
    ("apple", re.compile(r"iPhone|iPad|iPod|Macintosh|Mac OS X")),
    ("linux", re.compile(r"Android|CrOS|Linux|X11")),
)
_PLATFORM_SYSTEMS = (
    ("windows", re.compile(r"^Win")),
    ("apple", re.compile(r"^(Mac|iPhone|iPad|iPod)")),
    ("linux", re.compile(r"^(Linux|Android|X11)")),
)
_SOFTWARE_RENDERERS = re.compile(r"SwiftShader|llvmpipe|softpipe|Microsoft Basic Render", re.I)
_TOUCH_UA = re.compile(r"Android|iPhone|iPad|iPod|Mobile")


class EnvironmentThresholds(msgspec.Struct, frozen=True):
    inconsistent_strength: float = 0.5
    """User agent contradicting platform or client hints: spoofing, or a UA-switcher add-on."""
    unusual_strength: float = 0.3
    """Traits headless set-ups have and few real browsers share."""
    emulated_strength: float = 0.5
    """A viewport the size of the whole screen outside full screen: a screen size set by
    automation, or by DevTools' device mode, a borderless lockdown window or a privacy
    browser; as strong as a user agent that contradicts itself, no more."""
    frameless_strength: float = 0.5
    """A window no larger than its page outside full screen: a headless browser sized by
    automation, or a frameless app window or privacy tool; as strong as an emulated screen."""
    software_strength: float = 0.1
    """Software rendering: headless and virtual machines, also old or remote desktops."""
    devtools_strength: float = 0.12
    """A DevTools-protocol client read the console: automation, or a person with DevTools open."""


ENV = EnvironmentThresholds()


def _desktop_chrome(user_agent: str) -> bool:
    """A Chromium on a computer: phones and tablets list no plugins and run pages edge to edge."""
    return "Chrome/" in user_agent and not _TOUCH_UA.search(user_agent)


def _system(text: str, table: tuple[tuple[str, re.Pattern[str]], ...]) -> str:
    return next((name for name, pattern in table if pattern.search(text)), "")


def mismatches(env: Environment) -> set[str]:
    """Contradictions between the user agent and the rest of what the browser reports."""
    found = set()
    claimed = _system(env.userAgent, _UA_SYSTEMS)
    actual = _system(env.platform, _PLATFORM_SYSTEMS)
    if claimed and actual and claimed != actual:
        found.add(f"ua_{claimed}_platform_{actual}")
    brands = [b for b in env.brands if b and "Not" not in b]
    chrome_ua = "Chrome/" in env.userAgent or "CriOS/" in env.userAgent
    if brands and not chrome_ua:
        found.add("client_hints_without_chrome_ua")
    if brands and chrome_ua and not any("Chromium" in b or "Chrome" in b for b in brands):
        found.add("chrome_ua_without_chromium_brand")
    return found


def unusual(env: Environment) -> set[str]:
    """Traits of headless or scripted browsers that few real browsers share.

    Judged only on a full report (one with a screen size, as the pixel sends): a message
    that leaves fields out has not said there are no plugins or languages.
    """
    found: set[str] = set()
    if env.screen is None or not env.userAgent:
        return found
    if _desktop_chrome(env.userAgent) and env.plugins == 0:
        found.add("no_plugins")
    if not env.languages:
        found.add("no_languages")
    if env.screen.w == 0 or env.screen.h == 0:
        found.add("no_screen")
    return found


_ANDROID_PLATFORM = re.compile(r"^Linux (arm|aarch)")


def _judged_window(env: Environment) -> bool:
    """Whether a report's window can be judged: a desktop Chromium said it was not in full
    screen (older pixels do not say), and it neither hides its window sizes nor is a phone.

    In full screen (F11, a kiosk, an element in full screen) the page fills the window and
    the screen. Brave's fingerprinting protection reports both as the page's size plus a
    random 0 to 8 pixels, so sometimes exactly the page's. Phones run pages edge to edge, and
    one asking for the desktop site sends a desktop user agent but keeps its ARM
    `navigator.platform`.
    """
    if env.fullscreen is not False or not _desktop_chrome(env.userAgent) or env.mobile:
        return False
    if env.touchPoints and _ANDROID_PLATFORM.match(env.platform):
        return False
    return not any("Brave" in brand for brand in env.brands)


def _same_size(whole: Size | None, page: Size | None) -> str:
    """`1280x720` when both sizes are known, nonzero and equal, else ""."""
    if whole is None or page is None or not whole.w or not whole.h:
        return ""
    return f"{whole.w}x{whole.h}" if (whole.w, whole.h) == (page.w, page.h) else ""


def emulated_screen_size(env: Environment) -> str:
    """The screen's size (`1280x720`) when a desktop Chromium's viewport is all of it outside
    full screen, else "".

    A browser window draws its tabs and address bar above the page, so the page's viewport is
    smaller than the screen unless the page is in full screen. Automation that sets the
    viewport sets the screen to the same size: Playwright's default context does, headless or
    headed, and so does Puppeteer's default page in a headless browser.
    """
    return _same_size(env.screen, env.viewport) if _judged_window(env) else ""


def frameless_window_size(env: Environment) -> str:
    """The window's size (`1280x720`) when a desktop Chromium's window is no larger than its
    page outside full screen, else "".

    A browser window is its page plus its tabs, address bar and frame, so `outerHeight` is
    larger than `innerHeight`. A headless browser has no tabs or address bar to draw:
    Playwright sizes its headless window to the page it emulates, so the window reports
    exactly the page's size, whatever screen it was given. Both sides must match: browser
    zoom scales the page's size and not the window's, so at one of Chrome's zoom steps a page
    can match its window on one side by chance, not on both.
    """
    return _same_size(env.outer, env.viewport) if _judged_window(env) else ""


def observe_environment(facts: EnvironmentFacts, env: Environment, t: int) -> None:
    """Fold one `init` message's environment into the session's facts."""
    found = mismatches(env)
    odd = unusual(env)
    emulated = emulated_screen_size(env)
    if emulated and not facts.emulated_screen:
        facts.emulated_screen = emulated
    frameless = frameless_window_size(env)
    if frameless and not facts.frameless_window:
        facts.frameless_window = frameless
    if found:
        facts.mismatches = tuple(sorted(set(facts.mismatches) | found)[:MAX_FACTS])
    if odd:
        facts.unusual = tuple(sorted(set(facts.unusual) | odd)[:MAX_FACTS])
    renderer = _SOFTWARE_RENDERERS.search(env.webglRenderer)
    if renderer and not facts.software_renderer:
        facts.software_renderer = renderer.group(0)
    if env.cdpArtefacts is True:
        facts.devtools_protocol = True
    if env.mobile is True or _TOUCH_UA.search(env.userAgent):
        facts.touch_device = True
    if (
        found or odd or emulated or frameless or renderer or env.cdpArtefacts
    ) and not facts.first_t:
        facts.first_t = t


def inconsistent_platform(state: DetectorState) -> Finding | None:
    """The user agent claims one system or browser while the browser reports another.

    A reviewer sees an `init` environment whose user agent says, say, Windows while its
    platform says Linux, or a Chrome user agent whose client-hint brands name no Chromium.
    Automation that rewrites its user agent leaves such seams; so do user-agent switcher
    add-ons, which is why this stays in the medium band alone.
    """
    facts = state.facts
    if not facts.mismatches:
        return None
    evidence: Evidence = {"mismatches": ", ".join(facts.mismatches), "first_ms": facts.first_t}
    return Finding("inconsistent_platform", ENV.inconsistent_strength, evidence, ENVIRONMENT)


def headless_environment(state: DetectorState) -> Finding | None:
    """The browser lacks what desktop browsers have: plugins, languages or a screen.

    A reviewer sees, in the `init` environment, a desktop Chrome with no plugins, no
    languages, or a screen of size zero: traits of headless and scripted browsers. Kiosk
    policies can remove plugins, so this is weak evidence.
    """
    facts = state.facts
    if not facts.unusual:
        return None
    evidence: Evidence = {"traits": ", ".join(facts.unusual), "first_ms": facts.first_t}
    return Finding("headless_environment", ENV.unusual_strength, evidence, ENVIRONMENT)


def emulated_screen(state: DetectorState) -> Finding | None:
    """The page's viewport was exactly the size of the whole screen, outside full screen.

    A reviewer sees, in the `init` environment, `screen` and `viewport` of the same size and
    `fullscreen: false`: a window with no room for its own tabs and address bar. Automation
    that sets the viewport reports the screen that way; so can DevTools' device mode and
    privacy tools that report the window as the screen, which is why this stays in the medium
    band alone.
    """
    size = state.facts.emulated_screen
    if not size:
        return None
    evidence: Evidence = {"screen": size, "first_ms": state.facts.first_t}
    return Finding("emulated_screen", ENV.emulated_strength, evidence, ENVIRONMENT)


def frameless_window(state: DetectorState) -> Finding | None:
    """The browser window was exactly the size of its page, outside full screen.

    A reviewer sees, in the `init` environment, `outer` and `viewport` of the same size and
    `fullscreen: false`: a window with no tabs, address bar or frame around its page. A
    headless browser whose viewport automation set reports its window that way, whatever
    screen it was given; so can a frameless app window or a privacy tool that hides the
    window's size, which is why this stays in the medium band alone.
    """
    size = state.facts.frameless_window
    if not size:
        return None
    evidence: Evidence = {"window": size, "first_ms": state.facts.first_t}
    return Finding("frameless_window", ENV.frameless_strength, evidence, ENVIRONMENT)


def software_rendering(state: DetectorState) -> Finding | None:
    """The page was drawn by a software renderer (SwiftShader, llvmpipe), not a GPU.

    Headless browsers on servers render this way; so do virtual machines and some remote
    desktops. Corroborating only: never reported unless another finding is.
    """
    renderer = state.facts.software_renderer
    if not renderer:
        return None
    evidence: Evidence = {"renderer": renderer, "first_ms": state.facts.first_t}
    return Finding(
        "software_rendering", ENV.software_strength, evidence, CORROBORATING, corroborating=True
    )


def devtools_protocol(state: DetectorState) -> Finding | None:
    """A DevTools-protocol client was attached to the page and read its console.

    The pixel logs an object whose stack only a DevTools-protocol client reads. Automation
    attaches such a client; so does a person who has DevTools open, which is legitimate.
    Corroborating only: never reported unless another finding is.
    """
    if not state.facts.devtools_protocol:
        return None
    evidence: Evidence = {"first_ms": state.facts.first_t}
    return Finding(
        "devtools_protocol",
        ENV.devtools_strength,
        evidence,
        CORROBORATING,
        corroborating=True,
    )
