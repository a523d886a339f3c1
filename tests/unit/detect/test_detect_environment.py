"""Deterministic signals: what the browser reports about itself in `init`."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from notai.detect import SCORE_BOT, SCORE_MEDIUM, Assessment, assess, new_state, observe
from notai.detect.state import MAX_AUTOMATION_NAMES
from notai.events import Environment, Message
from unit.detect.detect_strategies import CHROME_UA, HEADLESS_UA, SessionBuilder


def verdict(messages: Sequence[Message]) -> Assessment:
    return assess(observe(new_state(), messages))


def session_with(env: Environment) -> list[Message]:
    """A page load followed by ordinary use, so only the environment can differ."""
    return SessionBuilder().init(env).move_and_click(800, 420).scroll().messages


def test_an_ordinary_browser_scores_zero() -> None:
    result = verdict(session_with(Environment(userAgent=CHROME_UA, webdriver=False)))

    assert result.bot_score == 0.0
    assert result.flags == ()
    assert result.evidence == {}


def test_webdriver_true_is_a_bot() -> None:
    builder = SessionBuilder().wait(250)
    init_t = builder.t
    messages = builder.init(Environment(userAgent=CHROME_UA, webdriver=True)).messages

    result = verdict(messages)

    assert result.flags == ("webdriver",)
    assert result.bot_score >= SCORE_BOT
    assert result.evidence["webdriver"]["first_ms"] == init_t
    assert result.evidence["webdriver"]["reports"] == 1


@pytest.mark.parametrize("webdriver", [None, False])
def test_webdriver_absent_or_false_is_not_flagged(webdriver: bool | None) -> None:
    result = verdict(session_with(Environment(userAgent=CHROME_UA, webdriver=webdriver)))

    assert "webdriver" not in result.flags


def test_automation_globals_are_a_bot_and_named_in_evidence() -> None:
    env = Environment(userAgent=CHROME_UA, automation=["__playwright__binding__", "_phantom"])

    result = verdict(session_with(env))

    assert result.flags == ("automation_globals",)
    assert result.bot_score >= SCORE_BOT
    assert result.evidence["automation_globals"]["globals"] == "__playwright__binding__, _phantom"


def test_an_agent_extension_at_work_is_a_bot_and_not_called_an_automation_global() -> None:
    env = Environment(userAgent=CHROME_UA, automation=["claude-agent-glow-border"])

    result = verdict(session_with(env))

    assert result.flags == ("agent_extension",)
    assert result.bot_score >= SCORE_BOT
    assert result.evidence["agent_extension"]["extensions"] == "Claude for Chrome"
    assert "Claude for Chrome" in str(result.evidence["agent_extension"]["explanation"])


def test_an_agent_that_starts_mid_session_is_caught_by_the_fresh_init() -> None:
    # A person's ordinary session, then the pixel's second init once the agent's mark appears.
    builder = SessionBuilder().init(Environment(userAgent=CHROME_UA)).move_and_click(800, 420)
    before = verdict(builder.messages)
    agent_t = builder.wait(30_000).t
    builder.init(Environment(userAgent=CHROME_UA, automation=["claude-agent-glow-border"]))

    result = verdict(builder.messages)

    assert before.flags == ()
    assert result.flags == ("agent_extension",)
    assert result.evidence["agent_extension"]["first_ms"] == agent_t
    assert result.evidence["agent_extension"]["reports"] == 1


def test_an_agent_mark_beside_automation_globals_reports_both() -> None:
    names = ["_phantom", "claude-agent-glow-border"]
    result = verdict(session_with(Environment(userAgent=CHROME_UA, automation=names)))

    assert set(result.flags) == {"agent_extension", "automation_globals"}
    assert result.evidence["automation_globals"]["globals"] == "_phantom"


@pytest.mark.parametrize("names", [[], [""], ["   "]])
def test_empty_automation_reports_are_not_flagged(names: list[str]) -> None:
    result = verdict(session_with(Environment(userAgent=CHROME_UA, automation=names)))

    assert result.flags == ()


def test_automation_names_kept_are_capped() -> None:
    builder = SessionBuilder()
    for i in range(MAX_AUTOMATION_NAMES * 3):
        builder.init(Environment(automation=[f"__driver_{i:02d}"]))

    state = observe(new_state(), builder.messages)

    assert len(state.env.automation_names) == MAX_AUTOMATION_NAMES
    assert state.env.automation_reports == MAX_AUTOMATION_NAMES * 3


@pytest.mark.parametrize(
    ("env", "source"),
    [
        (Environment(userAgent=HEADLESS_UA), "user_agent"),
        (Environment(userAgent=CHROME_UA, brands=["Chromium", "HeadlessChrome"]), "brands"),
        (Environment(userAgent=HEADLESS_UA, brands=["HeadlessChrome"]), "user_agent+brands"),
    ],
)
def test_headless_chrome_is_a_bot(env: Environment, source: str) -> None:
    result = verdict(session_with(env))

    assert result.flags == ("headless_user_agent",)
    assert result.bot_score >= SCORE_BOT
    assert result.evidence["headless_user_agent"]["source"] == source


def test_ordinary_brands_are_not_headless() -> None:
    env = Environment(userAgent=CHROME_UA, brands=["Chromium", "Google Chrome", "Not?A_Brand"])

    assert verdict(session_with(env)).flags == ()


def test_every_deterministic_signal_together_orders_flags_by_strength() -> None:
    env = Environment(userAgent=HEADLESS_UA, webdriver=True, automation=["_phantom"])

    result = verdict(session_with(env))

    assert result.flags == ("webdriver", "automation_globals", "headless_user_agent")
    assert result.bot_score > 0.99


def test_a_second_page_load_keeps_the_first_report_time() -> None:
    builder = SessionBuilder().init(Environment(webdriver=True))
    first_t = builder.t
    builder.wait(60_000).init(Environment(webdriver=True))

    result = verdict(builder.messages)

    found = result.evidence["webdriver"]
    assert {k: v for k, v in found.items() if k != "explanation"} == {
        "reports": 2,
        "init_messages": 2,
        "first_ms": first_t,
    }
    assert SCORE_MEDIUM < result.bot_score < 1.0
