"""Environmental signals: a browser whose description of itself does not hang together."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from notai.detect import SCORE_BOT, SCORE_MEDIUM, Assessment, assess, new_state, observe
from notai.detect.environment import (
    emulated_screen_size,
    frameless_window_size,
    mismatches,
    unusual,
)
from notai.events import Environment, Message, Size
from unit.detect.detect_strategies import CHROME_UA, SessionBuilder

MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)
ANDROID = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/142.0 Mobile Safari/537.36"
DESKTOP_ON_PHONE = (  # a phone asking for the desktop site
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 "
    "Safari/537.36"
)
CHROME_BRANDS = ["Chromium", "Google Chrome", "Not_A Brand"]
SCREEN = Size(w=1920, h=1080)


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


def full(**fields: object) -> Environment:
    """A full report, as the pixel sends it, with `fields` changed."""
    base: dict[str, object] = {
        "userAgent": CHROME_UA,
        "webdriver": False,
        "platform": "Win32",
        "languages": ["en-US"],
        "screen": SCREEN,
        "plugins": 5,
        "brands": CHROME_BRANDS,
    }
    return Environment(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "env",
    [
        full(),
        full(userAgent=MAC_SAFARI, platform="MacIntel", brands=[]),
        full(userAgent=ANDROID, platform="Linux armv81", plugins=0, mobile=True),
        full(userAgent=ANDROID.replace("Mobile ", ""), platform="Linux armv81", plugins=0),
        full(
            userAgent=MAC_SAFARI.replace("Safari/605", "Mobile/15E148 Safari/604"),
            platform="MacIntel",
            brands=[],
            touchPoints=5,
        ),  # an iPad asking for desktop pages
        full(
            userAgent=CHROME_UA.replace("Windows NT 10.0; Win64; x64", "X11; CrOS x86_64 14541"),
            platform="Linux x86_64",
        ),
    ],
)
def test_ordinary_browsers_hang_together(env: Environment) -> None:
    assert mismatches(env) == set()
    assert unusual(env) == set()
    assert verdict(SessionBuilder().init(env).messages).flags == ()


def test_a_windows_user_agent_on_linux_is_inconsistent_but_not_a_bot() -> None:
    result = verdict(SessionBuilder().init(full(platform="Linux x86_64")).messages)

    assert result.flags == ("inconsistent_platform",)
    assert SCORE_MEDIUM <= result.bot_score < SCORE_BOT
    assert result.evidence["inconsistent_platform"]["mismatches"] == "ua_windows_platform_linux"


def test_client_hints_with_a_firefox_user_agent_are_inconsistent() -> None:
    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"

    assert mismatches(full(userAgent=firefox)) == {"client_hints_without_chrome_ua"}


def test_a_desktop_chrome_without_plugins_or_languages_is_weak_evidence() -> None:
    result = verdict(SessionBuilder().init(full(plugins=0, languages=[])).messages)

    assert result.flags == ("headless_environment",)
    assert result.bot_score < SCORE_MEDIUM


def test_a_report_that_leaves_fields_out_says_nothing_about_them() -> None:
    assert unusual(Environment(userAgent=CHROME_UA)) == set()


@pytest.mark.parametrize(
    "env",
    [
        full(webglRenderer="ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)))"),
        full(cdpArtefacts=True),
        full(webglRenderer="llvmpipe (LLVM 15.0.6, 256 bits)", cdpArtefacts=True),
    ],
)
def test_software_rendering_and_devtools_are_never_reported_alone(env: Environment) -> None:
    result = verdict(SessionBuilder().init(env).messages)

    assert (result.bot_score, result.flags) == (0.0, ())


def test_corroborating_findings_count_beside_another() -> None:
    env = full(platform="Linux x86_64", webglRenderer="SwiftShader", cdpArtefacts=True)

    result = verdict(SessionBuilder().init(env).messages)

    assert set(result.flags) == {"inconsistent_platform", "software_rendering", "devtools_protocol"}
    alone = verdict(SessionBuilder().init(full(platform="Linux x86_64")).messages)
    assert result.bot_score > alone.bot_score


VIEWPORT = Size(w=1280, h=720)


def windowed(**fields: object) -> Environment:
    """A full report of a page in a window as large as the screen, outside full screen."""
    return full(screen=VIEWPORT, viewport=VIEWPORT, fullscreen=False, **fields)


def test_a_viewport_as_large_as_the_screen_outside_full_screen_is_an_emulated_screen() -> None:
    result = verdict(SessionBuilder().init(windowed()).messages)

    assert result.flags == ("emulated_screen",)
    assert SCORE_MEDIUM <= result.bot_score < SCORE_BOT
    assert result.evidence["emulated_screen"]["screen"] == "1280x720"
    assert "1280x720" in str(result.evidence["emulated_screen"]["explanation"])


@pytest.mark.parametrize(
    "env",
    [
        full(screen=SCREEN, viewport=Size(w=1920, h=969), fullscreen=False),  # maximised
        full(screen=VIEWPORT, viewport=VIEWPORT, fullscreen=True),  # F11, a kiosk, a video
        full(screen=VIEWPORT, viewport=VIEWPORT),  # an older pixel: full screen not reported
        full(screen=VIEWPORT, viewport=Size(w=1280, h=600), fullscreen=False),
        full(screen=VIEWPORT, viewport=Size(w=1000, h=720), fullscreen=False),
        full(screen=Size(w=0, h=0), viewport=Size(w=0, h=0), fullscreen=False),
        windowed(brands=["Brave", "Chromium", "Not_A Brand"]),  # shields report the window
        windowed(userAgent=ANDROID, platform="Linux armv81", plugins=0, mobile=True),
        windowed(userAgent=ANDROID.replace("Mobile ", ""), platform="Linux armv81"),
        windowed(userAgent=DESKTOP_ON_PHONE, platform="Linux aarch64", touchPoints=5),
        windowed(  # Firefox's fingerprinting resistance reports the window as the screen
            userAgent="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            platform="Linux x86_64",
            brands=[],
        ),
    ],
)
def test_full_screen_real_screens_and_privacy_browsers_are_not_an_emulated_screen(
    env: Environment,
) -> None:
    assert emulated_screen_size(env) == ""
    assert "emulated_screen" not in verdict(SessionBuilder().init(env).messages).flags


def test_an_emulated_screen_and_a_contradicting_user_agent_count_once() -> None:
    both = verdict(SessionBuilder().init(windowed(platform="Linux x86_64")).messages)
    alone = verdict(SessionBuilder().init(windowed()).messages)

    assert set(both.flags) == {"emulated_screen", "inconsistent_platform"}
    assert both.bot_score == alone.bot_score < SCORE_BOT  # one family: the environment


PAGE = Size(w=1280, h=720)


def frameless(**fields: object) -> Environment:
    """A full report of a page whose window is exactly its size, outside full screen."""
    return full(outer=PAGE, viewport=PAGE, fullscreen=False, **fields)


def test_a_window_no_larger_than_its_page_outside_full_screen_is_frameless() -> None:
    result = verdict(SessionBuilder().init(frameless()).messages)

    assert result.flags == ("frameless_window",)
    assert SCORE_MEDIUM <= result.bot_score < SCORE_BOT
    assert result.evidence["frameless_window"]["window"] == "1280x720"
    assert "1280x720" in str(result.evidence["frameless_window"]["explanation"])


@pytest.mark.parametrize(
    "env",
    [
        full(outer=Size(w=1920, h=1040), viewport=Size(w=1920, h=969), fullscreen=False),
        full(outer=Size(w=1288, h=805), viewport=PAGE, fullscreen=False),  # a headed window
        full(outer=Size(w=1280, h=811), viewport=PAGE, fullscreen=False),  # macOS: no sides
        full(outer=PAGE, viewport=PAGE, fullscreen=True),  # F11, a kiosk, a video
        full(outer=PAGE, viewport=PAGE),  # an older pixel: full screen not reported
        full(viewport=PAGE, fullscreen=False),  # an older pixel: no outer size
        full(outer=Size(w=0, h=0), viewport=Size(w=0, h=0), fullscreen=False),
        frameless(brands=["Brave", "Chromium", "Not_A Brand"]),  # shields: page + 0 to 8 px
        frameless(userAgent=ANDROID, platform="Linux armv81", plugins=0, mobile=True),
        frameless(userAgent=DESKTOP_ON_PHONE, platform="Linux aarch64", touchPoints=5),
        frameless(  # Firefox's fingerprinting resistance reports the page as the window
            userAgent="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            platform="Linux x86_64",
            brands=[],
        ),
    ],
)
def test_framed_windows_full_screen_phones_and_privacy_browsers_are_not_frameless(
    env: Environment,
) -> None:
    assert frameless_window_size(env) == ""
    assert "frameless_window" not in verdict(SessionBuilder().init(env).messages).flags


def test_a_touch_laptop_on_linux_is_judged_like_any_desktop() -> None:
    env = frameless(userAgent=DESKTOP_ON_PHONE, platform="Linux x86_64", touchPoints=10)
    assert frameless_window_size(env) == "1280x720"


def test_headless_playwright_is_frameless_and_emulated_once() -> None:
    """Playwright's default headless page: the screen, the window and the page all 1280x720."""
    env = full(screen=PAGE, outer=PAGE, viewport=PAGE, fullscreen=False)
    both = verdict(SessionBuilder().init(env).messages)
    alone = verdict(SessionBuilder().init(frameless()).messages)

    assert set(both.flags) == {"emulated_screen", "frameless_window"}
    assert both.bot_score == alone.bot_score < SCORE_BOT  # one family: the environment
