"""The detection signals: each reads a session's evidence and may report one flag.

A signal is a small pure function of `DetectorState` returning a `Finding` (flag name,
strength in [0, 1], the evidence a reviewer would check) or None. Its thresholds are frozen
data right next to it. Strengths are the signal's own confidence that no person drives the
page; `notai.detect.score` combines them.

Deterministic signals (the browser says it is automated) are strong on their own.
Behavioural signals stay below the bot band (0.7) alone, because a person using assistive
technology can produce each of them. See docs/detection.md for the vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from notai.detect.state import DetectorState

EvidenceValue = int | float | str
Evidence = dict[str, EvidenceValue]


class Finding(msgspec.Struct, frozen=True):
    """One signal's verdict on a session."""

    flag: str
    strength: float
    evidence: Evidence
    family: str
    """Findings of one family share an innocent explanation; they count once (see score)."""
    corroborating: bool = False
    """Weak on its own and common among people: counted, and reported, only beside another."""


class FixedStrength(msgspec.Struct, frozen=True):
    """A deterministic signal: present or not, with one strength."""

    strength: float


def _ramp(value: int, low: int, high: int, at_low: float, at_high: float) -> float:
    """`at_low` at `value == low`, rising linearly to `at_high` from `value == high` on."""
    share = min(1.0, max(0.0, (value - low) / (high - low)))
    return at_low + (at_high - at_low) * share


# --- environment: what the browser reports about itself ------------------------------------

WEBDRIVER = FixedStrength(strength=0.98)


def webdriver(state: DetectorState) -> Finding | None:
    """The browser reported `navigator.webdriver == true` when the page loaded.

    A reviewer sees an `init` message whose environment says webdriver: true. Browsers set
    it only when driven by WebDriver, Playwright, Puppeteer or another automation protocol.
    """
    env = state.env
    if not env.webdriver_reports:
        return None
    evidence: Evidence = {
        "reports": env.webdriver_reports,
        "init_messages": env.init_messages,
        "first_ms": env.webdriver_t,
    }
    return Finding("webdriver", WEBDRIVER.strength, evidence, family="webdriver")


AUTOMATION_GLOBALS = FixedStrength(strength=0.97)


def automation_globals(state: DetectorState) -> Finding | None:
    """The page's `window` carried globals that automation tools inject.

    A reviewer sees the names in the `init` environment's `automation` list, such as
    `__playwright__binding__`, `__selenium_unwrapped` or `_phantom`; no browser or
    extension a student would install defines them.
    """
    env = state.env
    if not env.automation_reports:
        return None
    evidence: Evidence = {
        "globals": ", ".join(env.automation_names),
        "reports": env.automation_reports,
        "first_ms": env.automation_t,
    }
    return Finding(
        "automation_globals", AUTOMATION_GLOBALS.strength, evidence, family="automation_globals"
    )


AGENT_EXTENSION = FixedStrength(strength=0.97)

AGENT_EXTENSION_MARKS: dict[str, str] = {
    "claude-agent-glow-border": "Claude for Chrome",
}
"""Ids of elements an agent extension adds to the page while its agent works there, and the
extension's name. The pixel reports them in the `init` environment's `automation` list."""


def agent_extension(state: DetectorState) -> Finding | None:
    """An AI agent extension was working in the page.

    A reviewer sees, in an `init` environment's `automation` list, the id of an element that
    such an extension adds to the page only while its agent works in it: Claude for Chrome's
    glowing frame, `claude-agent-glow-border` (from its own published code, version 1.0.x).
    The pixel looks for it when the page loads and every second after; when it appears, a
    fresh `init` reports it. Having the extension installed, or its side panel open, adds
    nothing to the page: only the agent at work does.
    """
    env = state.env
    if not env.agent_reports:
        return None
    evidence: Evidence = {
        "extensions": ", ".join(env.agent_extensions),
        "reports": env.agent_reports,
        "first_ms": env.agent_t,
    }
    return Finding("agent_extension", AGENT_EXTENSION.strength, evidence, family="agent_extension")


HEADLESS_USER_AGENT = FixedStrength(strength=0.95)


def headless_user_agent(state: DetectorState) -> Finding | None:
    """The browser called itself `HeadlessChrome` (user agent or client-hint brands).

    A reviewer sees `HeadlessChrome/...` in the `init` user agent, or a `HeadlessChrome`
    brand. Headless Chrome has no window: nobody can be looking at the page.
    """
    env = state.env
    if not env.headless_reports:
        return None
    evidence: Evidence = {
        "source": env.headless_source,
        "reports": env.headless_reports,
        "first_ms": env.headless_t,
    }
    return Finding("headless_user_agent", HEADLESS_USER_AGENT.strength, evidence, family="headless")


# --- events made by scripts ---------------------------------------------------------------


class UntrustedThresholds(msgspec.Struct, frozen=True):
    strong_strength: float = 0.9
    """Any untrusted key or mousedown/mouseup: pages do not fake these, agents do."""
    weak_strength: float = 0.25
    """Many untrusted clicks, moves, touches, inputs or scrolls: pages fake these too."""
    min_weak_events: int = 5


UNTRUSTED = UntrustedThresholds()


def untrusted_input(state: DetectorState) -> Finding | None:
    """Keys or pointer presses that the browser marked as made by a script (isTrusted=false).

    A reviewer sees keypress messages with `untrusted` keys, or mouse_click down/up
    messages with trusted: false. A keyboard or mouse always produces trusted events; a
    script dispatching them in the page (as some agents do) cannot. Bare untrusted clicks,
    scrolls and inputs are weak evidence only: LMS pages call `element.click()`, lazy
    loaders fire scroll events and password managers fire input events.
    """
    u = state.untrusted
    weak_events = u.bare_clicks + u.moves + u.touches + u.inputs + u.scrolls
    if u.keys or u.pointer:
        strength, first = UNTRUSTED.strong_strength, u.first_strong_t
    elif weak_events >= UNTRUSTED.min_weak_events:
        strength, first = UNTRUSTED.weak_strength, u.first_t
    else:
        return None
    evidence: Evidence = {
        "keys": u.keys,
        "pointer_presses": u.pointer,
        "bare_clicks": u.bare_clicks,
        "moves": u.moves,
        "touches": u.touches,
        "inputs": u.inputs,
        "scrolls": u.scrolls,
        "first_ms": first,
        "last_ms": u.last_t,
    }
    return Finding("untrusted_input", strength, evidence, family="untrusted_input")


class DetachedPointerThresholds(msgspec.Struct, frozen=True):
    jump_px: int = 100
    """A sample this far (on either axis) from the pointer, and from the position after it."""
    return_px: int = 4
    """The pointer then carries on within this of where it was before the far sample."""
    min_returns: int = 2
    strength: float = 0.9


DETACHED = DetachedPointerThresholds()


def detached_pointer(state: DetectorState) -> Finding | None:
    """The mouse pointer was in two places at once: one pointer for the page, another on screen.

    A reviewer sees, twice or more, a mouse_move sample 100 px or more away from a press,
    right after it, and then, with no movement between, the pointer going on from the press
    (the next sample, press or release within 4 px of it). Input injected through the
    DevTools protocol moves a pointer of the page's own; Chromium still reports the screen's
    pointer when it moves or when the window comes back to the front, so the screen's
    pointer shows up, alone, where it rests. A person's mouse, trackpad and pen all move
    the one pointer. Whatever loses track of the pointer (touch or pen, the window losing
    focus, a new page, a drop) ends the comparison.
    """
    d = state.detached
    if d.returns < DETACHED.min_returns:
        return None
    evidence: Evidence = {
        "returns": d.returns,
        "spot_x": d.first_x,
        "spot_y": d.first_y,
        "at_that_spot": d.at_first_spot,
        "first_ms": d.first_t,
        "last_ms": d.last_t,
    }
    return Finding("detached_pointer", DETACHED.strength, evidence, family="detached_pointer")


# --- behaviour ----------------------------------------------------------------------------

# Voice control's mouse grid jumps the pointer onto a control and dictation enters text
# without keys: one person using hands-free input can show both, so they are one family.
HANDS_FREE = "hands_free"
# Presses of a pointing device on the exact computed centre of their targets. An assistive
# technology's activation also lands on the centre, but Chromium marks it (mousedown with
# `detail` 0) and the detector never judges it, so hands-free input does not explain these.
MACHINE_AIM = "machine_aim"
CORROBORATING = "corroborating"
"""The family of findings that only corroborate: together they count once, and weakly enough
that no behavioural family plus all of them reaches the bot band (0.65 + 0.12 < 0.7)."""


class ClickTrailThresholds(msgspec.Struct, frozen=True):
    same_spot_px: int = 4
    """A click this close to where the pointer already was needed no movement."""
    min_clicks: int = 3
    min_share: float = 0.5
    """Trail-less clicks must be at least this share of the clicks that could be judged."""
    strength: float = 0.6
    weak_strength_per_click: float = 0.15
    """Below `min_clicks`, each trail-less click adds this much: little data, weak claim."""


CLICK_TRAIL = ClickTrailThresholds()


def click_without_pointer_trail(state: DetectorState) -> Finding | None:
    """Mouse clicks that landed somewhere the pointer never travelled to.

    A reviewer sees a mouse_click at one spot, then the next mouse_click elsewhere with no
    mouse_move message between them: the pointer jumped. A hand on a mouse or trackpad
    always produces movement on the way. Touch, pen and keyboard-activated clicks, and
    clicks after the window lost focus or the page changed, are never judged.
    """
    p = state.pointer
    if not p.trailless or p.trailless < CLICK_TRAIL.min_share * p.judged:
        return None
    if p.trailless >= CLICK_TRAIL.min_clicks:
        strength = CLICK_TRAIL.strength
    else:
        strength = CLICK_TRAIL.weak_strength_per_click * p.trailless
    evidence: Evidence = {
        "clicks_without_trail": p.trailless,
        "clicks_judged": p.judged,
        "mouse_clicks": p.gestures,
        "first_ms": p.first_t,
        "last_ms": p.last_t,
    }
    return Finding("click_without_pointer_trail", strength, evidence, family=HANDS_FREE)


class TypingCadenceThresholds(msgspec.Struct, frozen=True):
    max_gap_ms: int = 40
    """Keydown-to-keydown gaps under this are fast; people reach it only now and then."""
    min_run_keys: int = 10
    full_run_keys: int = 20
    min_strength: float = 0.5
    max_strength: float = 0.65


TYPING_CADENCE = TypingCadenceThresholds()


def machine_typing_cadence(state: DetectorState) -> Finding | None:
    """A run of keys pressed faster than anyone types, one after another.

    A reviewer sees keypress messages whose keydown times are under 40 ms apart for 10 or
    more keys in a row. Fast typists overlap keys (rollover) for a few gaps, not for ten;
    held keys that auto-repeat and modifier keys are not counted.
    """
    typing = state.typing
    if typing.longest_run < TYPING_CADENCE.min_run_keys:
        return None
    strength = _ramp(
        typing.longest_run,
        TYPING_CADENCE.min_run_keys,
        TYPING_CADENCE.full_run_keys,
        TYPING_CADENCE.min_strength,
        TYPING_CADENCE.max_strength,
    )
    evidence: Evidence = {
        "longest_run_keys": typing.longest_run,
        "fast_runs": typing.fast_runs,
        "max_gap_ms": TYPING_CADENCE.max_gap_ms,
        "keys": typing.keys,
        "first_run_ms": typing.first_run_t,
        "longest_run_ms": typing.longest_run_t,
    }
    return Finding("machine_typing_cadence", strength, evidence, family="typing_cadence")


class TextWithoutKeysThresholds(msgspec.Struct, frozen=True):
    min_chars: int = 20
    full_chars: int = 80
    max_keys_per_char: float = 0.1
    """"Almost no keys": at most one recorded key per ten typed characters."""
    min_strength: float = 0.3
    max_strength: float = 0.6


TEXT_WITHOUT_KEYS = TextWithoutKeysThresholds()


def text_without_keystrokes(state: DetectorState) -> Finding | None:
    """Text appeared in fields as if typed, but (almost) no keys were pressed.

    A reviewer sees input messages of type insertText adding up to 20 or more characters,
    and few or no keypress messages, with no paste, drop, autofill or IME composition to
    account for them; or input messages a script made (trusted: false) adding text. Tools
    that set a field's text directly produce this; so can dictation software and dictation
    extensions, which is why it is behavioural.
    """
    text, keys = state.text, state.typing.keys
    typed = text.typed_chars + text.scripted_chars
    unexplained = typed - text.explained_chars - keys
    if unexplained < TEXT_WITHOUT_KEYS.min_chars:
        return None
    if keys > TEXT_WITHOUT_KEYS.max_keys_per_char * typed:
        return None
    strength = _ramp(
        unexplained,
        TEXT_WITHOUT_KEYS.min_chars,
        TEXT_WITHOUT_KEYS.full_chars,
        TEXT_WITHOUT_KEYS.min_strength,
        TEXT_WITHOUT_KEYS.max_strength,
    )
    evidence: Evidence = {
        "typed_chars": text.typed_chars,
        "scripted_chars": text.scripted_chars,
        "unexplained_chars": unexplained,
        "explained_chars": text.explained_chars,
        "keys": keys,
        "field": text.last_field,
        "first_ms": text.first_t,
        "last_ms": text.last_t,
    }
    return Finding("text_without_keystrokes", strength, evidence, family=HANDS_FREE)


Signal = Callable[[DetectorState], Finding | None]

SIGNALS: tuple[Signal, ...] = (
    webdriver,
    automation_globals,
    agent_extension,
    headless_user_agent,
    untrusted_input,
    detached_pointer,
    click_without_pointer_trail,
    machine_typing_cadence,
    text_without_keystrokes,
)
