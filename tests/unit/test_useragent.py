from __future__ import annotations

import pytest

from notai.collect.useragent import device_class, summarize_user_agent

CASES = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        "Chrome 131 on Windows",
        "desktop",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Safari/605.1.15",
        "Safari 17 on macOS",
        "desktop",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
        "Edge 130 on Windows",
        "desktop",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/120.0.6099.28 Safari/537.36",
        "Headless Chrome 120 on Linux",
        "desktop",
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1",
        "Safari 17 on iPadOS",
        "tablet",
    ),
    (
        "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0",
        "Firefox 128 on Android",
        "mobile",
    ),
    ("", "Unknown", "desktop"),
    ("curl/8.5", "Other", "desktop"),
]


@pytest.mark.parametrize(("agent", "summary", "device"), CASES)
def test_summaries(agent: str, summary: str, device: str) -> None:
    assert summarize_user_agent(agent) == summary
    assert device_class(agent) == device
