"""Folding messages into a session's `DetectorState`.

`observe` is a left fold: each message updates the evidence in the order of its `seq`, so
feeding a session's messages in one call or in several gives the same state. Each message
costs work proportional to its own samples, never to the session so far.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, Literal

from notai.detect import tracking
from notai.detect.environment import observe_environment
from notai.detect.signals import AGENT_EXTENSION_MARKS, CLICK_TRAIL
from notai.detect.state import (
    MAX_AUTOMATION_NAMES,
    MAX_NAME_LENGTH,
    DetectorState,
    PointerEvidence,
    copy_state,
)
from notai.events import (
    Clipboard,
    Focus,
    FormSubmit,
    Init,
    Input,
    Keypress,
    Message,
    MouseClick,
    MouseMove,
    Navigation,
    Scroll,
    Touch,
)

HEADLESS_MARK = "HeadlessChrome"

# How the browser said text arrived. Typing types are what a keyboard (or a tool posing as
# one) produces; the explained types are text sources that legitimately come without keys.
TYPING_INPUT_TYPES = frozenset({"insertText", "insertLineBreak", "insertParagraph"})
EXPLAINED_INPUT_TYPES = frozenset(
    {
        "",  # autofill and password managers often report no inputType
        "insertFromPaste",
        "insertFromPasteAsQuotation",
        "insertFromDrop",
        "insertFromYank",
        "insertReplacementText",  # autofill, spelling correction, predictive text
        "insertCompositionText",  # IME, swipe keyboards
        "insertFromComposition",
        "historyUndo",
        "historyRedo",
    }
)


def observe(state: DetectorState, messages: Sequence[Message]) -> DetectorState:
    """The state after `messages`, which follow everything `state` has seen.

    `state` is not modified. Messages are applied in `seq` order.
    """
    updated = copy_state(state)
    fold(updated, messages)
    return updated


def fold(state: DetectorState, messages: Sequence[Message]) -> None:
    """Update `state` in place with `messages`, as `observe` does to its copy.

    For a state nothing else holds, such as one just decoded from its stored form: the
    collector's path, where a copy per batch would be wasted work.
    """
    state.messages += len(messages)
    for message in sorted(messages, key=_seq):
        tracking.note_activity(state, message)
        observer = _OBSERVERS.get(type(message))
        if observer is not None:
            observer(state, message)


_seq = attrgetter("seq")


def _observe_scroll(state: DetectorState, message: Scroll) -> None:
    if message.trusted:
        tracking.note_scroll(state, message)
    else:
        _count_untrusted(state, message.t, "scrolls")


# --- environment --------------------------------------------------------------------------


def _observe_navigation(state: DetectorState, message: Navigation) -> None:
    if message.kind == "route":
        state.scroll.known = False  # an in-page route sets its own scroll position
        return
    _lose_pointer(state)  # a new document: the pointer may have moved unseen
    tracking.note_page_start(state, message.t, reset=True)


def _observe_init(state: DetectorState, message: Init) -> None:
    observe_environment(state.facts, message.env, message.t)
    tracking.note_page_start(state, message.t, reset=False)
    env, facts = state.env, message.env
    env.init_messages += 1
    if facts.webdriver is True:
        env.webdriver_reports += 1
        env.webdriver_t = env.webdriver_t or message.t
    names = {name.strip()[:MAX_NAME_LENGTH] for name in facts.automation} - {""}
    agents = {AGENT_EXTENSION_MARKS[name] for name in names if name in AGENT_EXTENSION_MARKS}
    if agents:
        env.agent_reports += 1
        env.agent_t = env.agent_t or message.t
        env.agent_extensions = tuple(sorted(set(env.agent_extensions) | agents))
    names -= AGENT_EXTENSION_MARKS.keys()
    if names:
        env.automation_reports += 1
        env.automation_t = env.automation_t or message.t
        merged = sorted(set(env.automation_names) | names)
        env.automation_names = tuple(merged[:MAX_AUTOMATION_NAMES])
    sources = _headless_sources(facts.userAgent, facts.brands)
    if sources:
        env.headless_reports += 1
        env.headless_t = env.headless_t or message.t
        known = set(env.headless_source.split("+")) - {""}
        env.headless_source = "+".join(sorted(known | sources, reverse=True))


def _headless_sources(user_agent: str, brands: Sequence[str]) -> set[str]:
    sources = set()
    if HEADLESS_MARK in user_agent:
        sources.add("user_agent")
    if any(HEADLESS_MARK in brand for brand in brands):
        sources.add("brands")
    return sources


# --- untrusted events ---------------------------------------------------------------------


UntrustedKind = Literal["keys", "pointer", "bare_clicks", "moves", "touches", "inputs", "scrolls"]


def _count_untrusted(state: DetectorState, t: int, kind: UntrustedKind, n: int = 1) -> None:
    untrusted = state.untrusted
    setattr(untrusted, kind, getattr(untrusted, kind) + n)
    if kind in ("keys", "pointer"):
        untrusted.first_strong_t = untrusted.first_strong_t or t
    untrusted.first_t = min(untrusted.first_t, t) if untrusted.first_t else t
    untrusted.last_t = max(untrusted.last_t, t)


# --- pointer ------------------------------------------------------------------------------


def _observe_move(state: DetectorState, message: MouseMove) -> None:
    if not message.trusted:
        # Script-made movement is no evidence of a hand on a mouse.
        _count_untrusted(state, message.t, "moves")
        return
    tracking.note_move(state, message)
    tracking.note_far_sample(state, message)
    # The samples run in locals and are written back once: this loop runs for every pointer
    # sample of the session. Only a retraction reads the pointer's other fields.
    # Assignments of at most three names, which CPython makes without building a tuple.
    pointer = state.pointer
    known, px, py = pointer.known, pointer.x, pointer.y
    t = first_t = pointer.t
    prev_known, prev_x, prev_y = known, px, py  # where the pointer was before it moved on
    base_t = message.t
    for offset, x, y in message.samples:
        at = base_t + offset
        if pointer.pending_t and pointer.pending_since_t < at <= pointer.pending_t:
            _retract_pending(state)
        if at > t:
            prev_known, prev_x, prev_y = known, px, py
            known, px, py = True, x, y
            t = at
    if t != first_t:
        clicks = state.clicks
        clicks.prev_known, clicks.prev_x, clicks.prev_y = prev_known, prev_x, prev_y
        pointer.known, pointer.from_click = True, False
        pointer.x, pointer.y, pointer.t = px, py, t


def _lose_pointer(state: DetectorState) -> None:
    """The pointer may have moved unseen: forget where it is, and the far sample that waits
    to be compared with where it was (a pointer seen back there proves nothing now)."""
    state.pointer.known = state.detached.open = False


def _retract_pending(state: DetectorState) -> None:
    """Movement that happened before the pending click arrived late: it had a trail."""
    pointer = state.pointer
    pointer.trailless -= 1
    pointer.last_t = pointer.pending_prev_last_t
    if pointer.trailless == 0:
        pointer.first_t = pointer.last_t = 0
    pointer.pending_t = 0


def _observe_click(state: DetectorState, message: MouseClick) -> None:
    if not message.trusted:
        kind: UntrustedKind = "bare_clicks" if message.phase == "click" else "pointer"
        _count_untrusted(state, message.t, kind)
        return
    pointer = state.pointer
    if message.pointer != "mouse":
        # Touch and pen put the mouse pointer (if any) somewhere we cannot follow; keyboard
        # activation (Enter/Space on a control) and assistive activation (a press with
        # `detail` 0, whose click follows) do not involve the pointer at all.
        if message.pointer in ("touch", "pen"):
            _lose_pointer(state)
        elif message.phase == "down":
            pointer.simulated_open = True
        return
    if _completes_simulated_press(pointer, message):
        return
    tracking.note_pointer_position(state, message.x, message.y)
    if message.phase == "down" or (message.phase == "click" and not pointer.down_open):
        tracking.note_press(state, message)
        _judge_gesture(state, message)
    if message.phase != "up":
        pointer.down_open = message.phase == "down"
    # Every click event says where the pointer is now, with no movement seen since; but a
    # context menu (any button but the main one) takes the pointer's movement off the page.
    pointer.known, pointer.from_click = message.button == 0, True
    pointer.x, pointer.y = message.x, message.y
    pointer.t = max(pointer.t, message.t)


def _completes_simulated_press(pointer: PointerEvidence, message: MouseClick) -> bool:
    """Whether this is the `click` of a press the browser simulated with no pointing device.

    An assistive technology's activation (a screen reader's or voice control's "press") makes
    Chromium send mousedown and mouseup with `detail` 0 (the pixel's `keyboard` kind), then a
    click that poses as the mouse's at the control's centre. None of it moved the real
    pointer, so none of it is a press to judge or a position to remember.
    """
    if message.phase == "down":
        pointer.simulated_open = False
    elif message.phase == "click" and pointer.simulated_open:
        pointer.simulated_open = False
        return True
    return False


def _judge_gesture(state: DetectorState, message: MouseClick) -> None:
    """Decide whether the pointer reached this click without any movement on the page."""
    pointer = state.pointer
    pointer.gestures += 1
    pointer.pending_t = 0  # the previous suspect click is final now
    if pointer.known:
        jump = max(abs(message.x - pointer.x), abs(message.y - pointer.y))
        if not pointer.from_click:
            pointer.judged += 1
        elif jump > CLICK_TRAIL.same_spot_px:
            pointer.judged += 1
            _mark_trailless(state, message.t)
        # else: clicked again where the pointer already was; nothing to judge


def _mark_trailless(state: DetectorState, t: int) -> None:
    pointer = state.pointer
    pointer.pending_since_t, pointer.pending_prev_last_t = pointer.t, pointer.last_t
    pointer.pending_t = t
    pointer.trailless += 1
    pointer.first_t = pointer.first_t or t
    pointer.last_t = t


def _observe_touch(state: DetectorState, message: Touch) -> None:
    _lose_pointer(state)
    tracking.note_touch(state, message)
    if not message.trusted:
        _count_untrusted(state, message.t, "touches")


def _observe_focus(state: DetectorState, message: Focus) -> None:
    # The window lost or regained focus (alt-tab, another tab): the pointer can come back
    # anywhere without a move event on this page.
    if message.kind in ("hidden", "visible") or not message.field:
        _lose_pointer(state)


# --- keys ---------------------------------------------------------------------------------


def _observe_keys(state: DetectorState, message: Keypress) -> None:
    state.typing.keys += len(message.keys)
    if message.untrusted:
        _count_untrusted(state, message.t, "keys", message.untrusted)
    if message.shiftless:
        timing = state.key_timing
        timing.shiftless += message.shiftless
        timing.shiftless_first_t = timing.shiftless_first_t or message.t
    tracking.note_keys(state, message)


# --- text ---------------------------------------------------------------------------------


def _observe_input(state: DetectorState, message: Input) -> None:
    tracking.note_answer(state, message)
    if not message.trusted:
        # Text a script added is judged as text without keys (dictation extensions do it);
        # counting it as untrusted input as well would count one act twice.
        if message.delta > 0:
            _note_scripted_text(state, message)
        else:
            _count_untrusted(state, message.t, "inputs")
        return
    if message.inputType == "insertFromDrop":
        _lose_pointer(state)  # a drag moves the pointer without move events
    if message.delta <= 0:
        return
    text = state.text
    if message.inputType in TYPING_INPUT_TYPES:
        text.typed_chars += message.delta
        text.first_t = text.first_t or message.t
        text.last_t = max(text.last_t, message.t)
        text.last_field = message.field
    elif message.inputType in EXPLAINED_INPUT_TYPES:
        text.explained_chars += message.delta


def _note_scripted_text(state: DetectorState, message: Input) -> None:
    # A value set from code (el.value = ..., then an input event): text with no keys at all.
    text = state.text
    text.scripted_chars += message.delta
    text.first_t = text.first_t or message.t
    text.last_t = max(text.last_t, message.t)
    text.last_field = message.field


def _observe_clipboard(state: DetectorState, message: Clipboard) -> None:
    tracking.note_paste(state, message)
    # Rich-text editors often cancel the paste and re-insert it as `insertText`.
    if message.action == "paste":
        state.text.explained_chars += message.length


_OBSERVERS: dict[type[Message], Callable[[DetectorState, Any], None]] = {
    Init: _observe_init,
    MouseMove: _observe_move,
    MouseClick: _observe_click,
    Keypress: _observe_keys,
    Input: _observe_input,
    Clipboard: _observe_clipboard,
    Scroll: _observe_scroll,
    Touch: _observe_touch,
    Navigation: _observe_navigation,
    FormSubmit: tracking.note_submit,
    Focus: _observe_focus,
}
"""Each message type's observer, found by exact type (message types are never subclassed);
types that say nothing about who drives the page (heartbeat, identify, close) have none."""
