"""Browsers and machines the demo's sessions run on, and the `init` environment they report.

The strings are what real browsers of mid-2025 report, so that user-agent summaries and
device breakdowns in the demo look like a real school's.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from notai.events import Environment, Size

CHROME_BRANDS = ("Google Chrome", "Chromium", "Not/A)Brand")
EDGE_BRANDS = ("Microsoft Edge", "Chromium", "Not/A)Brand")
CHROMIUM_BRANDS = ("Chromium", "Not/A)Brand")
HEADLESS_BRANDS = ("HeadlessChrome", "Chromium", "Not/A)Brand")

INTEL_UHD = "ANGLE (Intel, Intel(R) UHD Graphics 620 (0x00005917) Direct3D11 vs_5_0 ps_5_0, D3D11)"
NVIDIA_GTX = "ANGLE (NVIDIA, NVIDIA GeForce GTX 1650 (0x00001F82) Direct3D11 vs_5_0 ps_5_0, D3D11)"
APPLE_M1 = "ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified Version)"
SWIFTSHADER = (
    "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)"
)

PLAYWRIGHT_GLOBALS = ("__playwright__binding__", "__pwInitScripts")
CHROMEDRIVER_GLOBALS = ("cdc_adoQpoasnfa76pfcZLmcfl_Array", "cdc_adoQpoasnfa76pfcZLmcfl_Promise")


@dataclass(frozen=True)
class Device:
    """A browser on a machine, as its `init` environment describes it."""

    label: str
    user_agent: str
    platform: str
    brands: tuple[str, ...]
    screen: tuple[int, int]
    pixel_ratio: float
    plugins: int
    webgl: str
    cores: int
    touch_points: int = 0
    mobile: bool | None = None
    """`navigator.userAgentData.mobile`: only Chromium browsers have it."""
    fixed_viewport: tuple[int, int] | None = None
    """Set when automation sizes the page itself (Playwright's default 1280x720)."""

    @property
    def touch(self) -> bool:
        return self.touch_points > 0

    @property
    def chromium(self) -> bool:
        return "Chromium" in self.brands


CHROME_WINDOWS = Device(
    "Chrome on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/137.0.0.0 Safari/537.36",
    "Win32",
    CHROME_BRANDS,
    (1920, 1080),
    1.0,
    5,
    INTEL_UHD,
    8,
    mobile=False,
)
CHROME_MAC = Device(
    "Chrome on macOS",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/137.0.0.0 Safari/537.36",
    "MacIntel",
    CHROME_BRANDS,
    (1440, 900),
    2.0,
    5,
    APPLE_M1,
    8,
    mobile=False,
)
EDGE_WINDOWS = Device(
    "Edge on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/137.0.0.0 Safari/537.36 Edg/137.0.0.0",
    "Win32",
    EDGE_BRANDS,
    (1536, 864),
    1.25,
    5,
    INTEL_UHD,
    4,
    mobile=False,
)
FIREFOX_WINDOWS = Device(
    "Firefox on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:139.0) Gecko/20100101 Firefox/139.0",
    "Win32",
    (),
    (1920, 1080),
    1.0,
    5,
    NVIDIA_GTX,
    12,
)
FIREFOX_MAC = Device(
    "Firefox on macOS",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:139.0) Gecko/20100101 Firefox/139.0",
    "MacIntel",
    (),
    (1512, 982),
    2.0,
    5,
    "Apple M2",
    8,
)
SAFARI_MAC = Device(
    "Safari on macOS",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.5 Safari/605.1.15",
    "MacIntel",
    (),
    (1470, 956),
    2.0,
    5,
    "Apple GPU",
    8,
)
SAFARI_IPAD = Device(
    "Safari on iPad",
    "Mozilla/5.0 (iPad; CPU OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.5 Mobile/15E148 Safari/604.1",
    "iPad",
    (),
    (820, 1180),
    2.0,
    0,
    "Apple GPU",
    6,
    touch_points=5,
)
CHROME_ANDROID_TABLET = Device(
    "Chrome on an Android tablet",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/137.0.0.0 Safari/537.36",
    "Linux armv81",
    CHROME_BRANDS,
    (800, 1280),
    2.0,
    0,
    "Adreno (TM) 740",
    8,
    touch_points=10,
    mobile=False,
)

DESKTOPS: tuple[Device, ...] = (
    CHROME_WINDOWS,
    CHROME_MAC,
    EDGE_WINDOWS,
    FIREFOX_WINDOWS,
    FIREFOX_MAC,
    SAFARI_MAC,
)
DESKTOP_WEIGHTS = (34, 18, 12, 8, 4, 16)
TABLETS: tuple[Device, ...] = (SAFARI_IPAD, CHROME_ANDROID_TABLET)

# Automation drives a browser its driver installed, not the student's own.
PLAYWRIGHT_HEADLESS = Device(
    "Playwright headless Chromium",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/137.0.7151.55 Safari/537.36",
    "Linux x86_64",
    HEADLESS_BRANDS,
    (1280, 720),
    1.0,
    0,
    SWIFTSHADER,
    4,
    mobile=False,
    fixed_viewport=(1280, 720),
)
PLAYWRIGHT_CHROMIUM = Device(
    "Playwright Chromium",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/137.0.7151.55 Safari/537.36",
    "MacIntel",
    CHROMIUM_BRANDS,
    (1440, 900),
    2.0,
    5,
    APPLE_M1,
    8,
    mobile=False,
    fixed_viewport=(1280, 720),
)

LANGUAGES: tuple[tuple[str, ...], ...] = (
    ("en-US", "en"),
    ("en-US",),
    ("es-US", "es", "en-US", "en"),
    ("zh-CN", "zh", "en-US", "en"),
    ("en-GB", "en"),
    ("vi-VN", "vi", "en-US"),
)
LANGUAGE_WEIGHTS = (62, 14, 10, 6, 4, 4)
TIMEZONES = ("America/Chicago", "America/New_York", "America/Denver", "Asia/Shanghai")
TIMEZONE_WEIGHTS = (80, 10, 6, 4)


def viewport_of(rng: Random, device: Device) -> Size:
    """The window's inner size: the screen less browser chrome, taskbar and, often, more."""
    if device.fixed_viewport:
        return Size(w=device.fixed_viewport[0], h=device.fixed_viewport[1])
    width, height = device.screen
    if device.touch:  # tablets run the browser full screen
        return Size(w=width, h=height - 74)
    if rng.random() < 0.3:  # not maximised
        width = int(width * rng.uniform(0.6, 0.95))
        height = int(height * rng.uniform(0.7, 0.95))
    return Size(w=width, h=height - rng.choice((111, 123, 136)))


BROWSER_BARS = 85
"""The height of a window's tabs and address bar above its page (outerHeight - innerHeight),
as a headed Chromium 156 window draws them."""


def window_of(device: Device, viewport: Size) -> Size:
    """The window's outer size: the page with the browser's tabs, address bar and frame.

    A headless browser whose page automation sized has none of them: its window is the page.
    """
    if device.fixed_viewport:
        return viewport
    frame = 16 if "Windows" in device.user_agent else 0  # 8 px of border left, right, below
    return Size(w=viewport.w + frame, h=viewport.h + BROWSER_BARS + frame // 2)


def environment(
    device: Device,
    viewport: Size,
    languages: tuple[str, ...],
    timezone: str,
    *,
    webdriver: bool = False,
    automation: tuple[str, ...] = (),
) -> Environment:
    """What the pixel reads from the browser when the page loads."""
    return Environment(
        userAgent=device.user_agent,
        webdriver=webdriver,
        automation=list(automation),
        platform=device.platform,
        languages=list(languages),
        timezone=timezone,
        screen=Size(w=device.screen[0], h=device.screen[1]),
        viewport=viewport,
        outer=window_of(device, viewport),
        fullscreen=False,
        pixelRatio=device.pixel_ratio,
        plugins=device.plugins,
        webglRenderer=device.webgl,
        hardwareConcurrency=device.cores,
        touchPoints=device.touch_points,
        brands=list(device.brands),
        mobile=device.mobile,
    )
