"""Plain-words explanations, and `notai score` on an exported session."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from typer.testing import CliRunner

from notai.cli import app, read_session_file
from notai.detect import assess, explain, explanations, new_state, observe
from notai.detect.score import SIGNALS
from notai.events import Environment
from unit.detect.detect_strategies import HEADLESS_UA, SessionBuilder, arbitrary_sessions


def test_every_signal_has_its_own_sentence() -> None:
    for signal in SIGNALS:
        sentence = explain(signal.__name__, {})
        assert not sentence.startswith("Flagged as"), signal.__name__
        assert "{" not in sentence


def test_the_sentence_carries_the_evidence() -> None:
    sentence = explain("machine_typing_cadence", {"longest_run_keys": 34, "max_gap_ms": 40})

    assert sentence == (
        "Typed 34 keys in a row less than 40 ms apart; people need at least 40 ms between "
        "most keys."
    )


def test_a_flag_from_another_version_is_still_named() -> None:
    assert explain("some_future_flag", {"x": 1}) == "Flagged as some future flag."


@settings(max_examples=60, deadline=None)
@given(arbitrary_sessions())
def test_stored_evidence_carries_the_explanation(messages: list[msgspec.Struct]) -> None:
    result = assess(observe(new_state(), messages))  # type: ignore[arg-type]

    stored = {flag: dict(found) for flag, found in result.evidence.items()}
    assert explanations(stored) == {f: e["explanation"] for f, e in stored.items()}


# --- notai score ---------------------------------------------------------------------------------


def exported(tmp_path: Path, form: str) -> Path:
    env = Environment(userAgent=HEADLESS_UA, webdriver=True)
    messages = SessionBuilder().init(env).move_and_click(300, 300).messages
    wire = [json.loads(msgspec.json.encode(m)) for m in messages]
    path = tmp_path / f"session.{form}"
    if form == "jsonl":
        path.write_text("".join(json.dumps(m) + "\n" for m in wire))
    elif form == "array":
        path.write_text(json.dumps(wire))
    else:
        batch = {"v": 1, "integration": "a7f3c2e1", "session": "k3J9x0aQ2mZ1", "events": wire}
        path.write_text(json.dumps(batch))
    return path


@pytest.mark.parametrize("form", ["jsonl", "array", "batch"])
def test_score_reads_every_export_form(tmp_path: Path, form: str) -> None:
    path = exported(tmp_path, form)

    result = CliRunner().invoke(app, ["score", str(path), "--json"])

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["band"] == "bot"
    assert body["detectionFlags"][:2] == ["webdriver", "headless_user_agent"]
    assert body["evidence"]["webdriver"]["explanation"].startswith("The browser reported")


def test_score_explains_in_plain_words(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["score", str(exported(tmp_path, "jsonl"))])

    assert result.exit_code == 0
    assert "- webdriver: The browser reported that automation software" in result.stdout


def test_score_refuses_what_is_not_a_session(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "init", "seq": 0}\n')

    result = CliRunner().invoke(app, ["score", str(path)])

    assert result.exit_code == 2
    with pytest.raises(ValueError, match="line 1"):
        read_session_file(path.read_bytes())
