"""Each flag and its evidence in one sentence a teacher understands.

`explain` is pure: the same flag and evidence always give the same sentence. `assess`
stores the sentence with each flag's evidence (`explanation`), so the dashboard, the API's
stored evidence and `notai score` all say the same thing. Evidence missing a number (stored
by an older version) still gives a sentence, with the number left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

EvidenceView = Mapping[str, object]
CHANCE_CAP = 10**12
"""`centre_precision_clicks` reports its odds up to this."""


def _n(evidence: EvidenceView, key: str) -> int:
    value = evidence.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


def _f(evidence: EvidenceView, key: str) -> float:
    value = evidence.get(key, 0.0)
    return float(value) if isinstance(value, int | float) else 0.0


def _s(evidence: EvidenceView, key: str) -> str:
    return str(evidence.get(key, ""))


def _odds(one_in: int) -> str:
    if one_in >= CHANCE_CAP:
        return "less than once in a trillion times"
    return f"about once in {one_in:,} times"


def _untrusted(e: EvidenceView) -> str:
    keys, presses = _n(e, "keys"), _n(e, "pointer_presses")
    if keys or presses:
        return (
            f"{keys} key presses and {presses} mouse presses were made by a script in the page, "
            "not by a keyboard or a mouse."
        )
    weak = sum(_n(e, k) for k in ("bare_clicks", "moves", "touches", "inputs", "scrolls"))
    return (
        f"{weak} clicks, inputs or scrolls were made by scripts; pages do this themselves too, "
        "so this is weak evidence."
    )


def _cadence(e: EvidenceView) -> str:
    pairs, even = _n(e, "pairs"), _n(e, "even_pairs")
    if _f(e, "variation") >= 0.15 and pairs:
        return (
            f"Keys were pressed at an even beat: {even} of {pairs} gaps between keys were "
            "within 10% of the gap before; people's rhythm reaches at most 41%."
        )
    return (
        f"Keys were pressed at an even beat: {_n(e, 'gaps')} gaps averaging "
        f"{_f(e, 'mean_gap_ms'):.0f} ms varied by only {100 * _f(e, 'variation'):.0f}%; "
        "people's rhythm varies by 20% or more."
    )


_SENTENCES: dict[str, Callable[[EvidenceView], str]] = {
    "webdriver": lambda e: (
        "The browser reported that automation software was controlling it "
        "(navigator.webdriver) when the page loaded."
    ),
    "agent_extension": lambda e: (
        f"An AI agent extension ({_s(e, 'extensions')}) was working in the page: it shows "
        "its mark on a page only while its agent reads or operates that page."
    ),
    "automation_globals": lambda e: (
        f"The page held variables that automation tools inject ({_s(e, 'globals')})."
    ),
    "headless_user_agent": lambda e: (
        "The browser called itself Headless Chrome, which runs without a window: "
        "nobody could see the page."
    ),
    "untrusted_input": _untrusted,
    "detached_pointer": lambda e: (
        f"{_n(e, 'returns')} times the mouse pointer showed up far away, at "
        f"({_n(e, 'spot_x')}, {_n(e, 'spot_y')}), and went on from where it had been without "
        "moving back: one pointer worked the page while the screen's rested elsewhere, "
        "which happens when software sends the input."
    ),
    "machine_typing_cadence": lambda e: (
        f"Typed {_n(e, 'longest_run_keys')} keys in a row less than {_n(e, 'max_gap_ms')} ms "
        f"apart; people need at least {_n(e, 'max_gap_ms')} ms between most keys."
    ),
    "click_without_pointer_trail": lambda e: (
        f"{_n(e, 'clicks_without_trail')} of {_n(e, 'clicks_judged')} mouse clicks landed "
        "somewhere new without the mouse moving there."
    ),
    "text_without_keystrokes": lambda e: (
        f"{_n(e, 'unexplained_chars')} characters appeared in answer fields as if typed, "
        f"with {_n(e, 'keys')} key presses recorded and no paste to account for them."
    ),
    "inconsistent_platform": lambda e: (
        f"The browser's description of itself contradicts itself ({_s(e, 'mismatches')})."
    ),
    "headless_environment": lambda e: (
        f"The browser lacks what desktop browsers have ({_s(e, 'traits')})."
    ),
    "emulated_screen": lambda e: (
        f"The page filled the whole screen ({_s(e, 'screen')}) without being in full screen: "
        "no room for the browser's own tabs and address bar, as when automation sets the "
        "screen size."
    ),
    "frameless_window": lambda e: (
        f"The browser window ({_s(e, 'window')}) was exactly the size of the page, outside "
        "full screen: no tabs, address bar or frame around it, as in a headless browser "
        "whose page size automation set."
    ),
    "software_rendering": lambda e: (
        f"The page was drawn without a graphics card ({_s(e, 'renderer')}), as on servers "
        "and virtual machines."
    ),
    "devtools_protocol": lambda e: (
        "A developer-tools connection was attached to the page: automation uses one, and so "
        "does a person with developer tools open."
    ),
    "centre_precision_clicks": lambda e: (
        f"{_n(e, 'centred_clicks')} of {_n(e, 'clicks_judged')} clicks hit the exact centre "
        f"of their target; a person does that by chance {_odds(_n(e, 'chance_1_in'))}."
    ),
    "teleport_clicks": lambda e: (
        f"{_n(e, 'teleport_clicks')} of {_n(e, 'clicks_judged')} clicks were reached in one "
        f"jump of the pointer (up to {_n(e, 'longest_jump_px')} px); a hand slows down onto "
        "a target."
    ),
    "think_then_burst": lambda e: (
        f"{_n(e, 'cold_clicks')} of {_n(e, 'mouse_presses')} mouse presses came straight out "
        f"of {_n(e, 'silence_ms') / 1000:.0f} s or more of stillness, with no movement to the "
        "target: the rhythm of an agent waiting for its model, then acting."
    ),
    "machine_key_dwell": lambda e: (
        f"{_n(e, 'short_keys')} of {_n(e, 'keys_measured')} keys were held down for less "
        f"than {_n(e, 'short_ms')} ms; people hold keys for 60 ms or more."
    ),
    "uniform_keystroke_cadence": _cadence,
    "shiftless_capitals": lambda e: (
        f"{_n(e, 'shiftless_capitals')} capital letters were typed with neither Shift nor "
        "Caps Lock held: a keyboard cannot do that; software that types by sending key "
        "events does."
    ),
    "scroll_jumps": lambda e: (
        f"The page jumped {_n(e, 'jumps')} times by up to {_n(e, 'longest_jump_px')} px at "
        "once, with no key, click or touch just before."
    ),
    "reading_time_impossible": lambda e: (
        f"The form was submitted {_n(e, 'elapsed_ms') / 1000:.1f} s after the page loaded "
        f"with {_n(e, 'fields_answered')} questions answered: faster than anyone can read them."
    ),
    "paste_then_submit": lambda e: (
        f"{_n(e, 'pasted_chars')} characters were pasted and the form submitted seconds "
        "later, with no typing in between."
    ),
    "pointer_without_coalesced_events": lambda e: (
        f"{_n(e, 'moves_without_coalesced')} of {_n(e, 'moves_judged')} mouse movements "
        "carried none of the extra samples a physical mouse produces."
    ),
}


def explain(flag: str, evidence: EvidenceView) -> str:
    """One plain sentence saying what `flag` found in this session."""
    sentence = _SENTENCES.get(flag)
    if sentence is None:
        return f"Flagged as {flag.replace('_', ' ')}."
    return sentence(evidence)


def explanations(evidence: Mapping[str, EvidenceView]) -> dict[str, str]:
    """The sentence for each flag of a session's stored evidence."""
    return {flag: explain(flag, found) for flag, found in evidence.items()}
