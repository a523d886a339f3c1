"""The compiled detector: used when current, never when stale, and the same as plain Python."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import notai.detect
from notai.detect import native, state

ROOT = Path(__file__).resolve().parents[3]


def test_the_suite_runs_the_compiled_fold_as_the_collector_does() -> None:
    if os.environ.get(native.SWITCH) == "python":
        pytest.fail(f"{native.SWITCH}=python: this run tests the plain modules only")
    assert notai.detect.COMPILED, f"no current build in {native.BUILD_DIR}: run `make native`"
    assert native.status == "compiled (mypyc)"
    for name in native.MODULES:
        module = sys.modules[f"notai.detect.{name}"]
        assert module.__file__ is not None, name
        assert module.__file__.endswith(".so"), name


def test_compiled_and_plain_modules_give_the_same_verdicts_and_states(tmp_path: Path) -> None:
    # bench/detector_equivalence.py scores demo sessions, the accessibility personas and
    # random sessions with late and reordered batches; each mode runs in its own process.
    saved = tmp_path / "compiled.json"
    script = [sys.executable, "bench/detector_equivalence.py", "--scale", "2"]
    environment = {**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"}
    compiled = {**environment, native.SWITCH: "compiled"}
    plain = {**environment, native.SWITCH: "python"}

    first = _run([*script, "--save", str(saved)], compiled)
    second = _run([*script, "--check", str(saved)], plain)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "0 sessions differ" in second.stdout


def _run(command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own benchmark, fixed arguments)
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )


def _build(tmp_path: Path, digest: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(native, "BUILD_DIR", tmp_path)
    monkeypatch.setattr(native, "status", native.status)  # restored afterwards
    monkeypatch.delenv(native.SWITCH, raising=False)
    (tmp_path / native.DIGEST_FILE).write_text(digest + "\n")
    return tmp_path


def test_a_build_of_the_current_sources_goes_first_on_the_search_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _build(tmp_path, native.source_digest(), monkeypatch)
    path = ["/the/package"]

    assert native.use_build(path) is True
    assert path == [str(build), "/the/package"]
    assert native.status == "compiled (mypyc)"


def test_a_build_of_other_sources_is_not_used_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(tmp_path, "0" * 64, monkeypatch)
    path = ["/the/package"]

    with pytest.warns(native.StaleBuildWarning, match="make native"):
        assert native.use_build(path) is False
    assert path == ["/the/package"]
    assert native.status == "plain Python (the compiled build is stale: make native)"


def test_no_build_or_the_switch_means_the_plain_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(native, "BUILD_DIR", tmp_path / "missing")
    monkeypatch.setattr(native, "status", native.status)  # restored afterwards
    path: list[str] = []
    assert native.use_build(path) is False
    assert native.status == "plain Python (no compiled build: make native)"

    _build(tmp_path, native.source_digest(), monkeypatch)
    monkeypatch.setenv(native.SWITCH, "python")
    assert native.use_build(path) is False
    assert path == []
    assert native.status == "plain Python (NOTAI_DETECTOR=python)"


def test_an_edit_to_any_source_the_build_depends_on_changes_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies = []
    for source in native.source_files():
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(native, "source_files", lambda: copies)
    before = native.source_digest()

    copies[-1].write_bytes(copies[-1].read_bytes() + b"\n")

    assert native.source_digest() != before
    assert {copy.name for copy in copies} >= {f"{name}.py" for name in native.MODULES}


def test_the_stored_forms_tuple_types_are_the_annotated_ones() -> None:
    # A compiled class reports only `tuple` for these fields; the stored form takes their
    # full types from state._TUPLE_TYPES, which must say what the source says.
    tree = ast.parse(Path(native.__file__).with_name("state.py").read_text())
    evidence = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and "dataclass" in map(ast.unparse, node.decorator_list)
    ]
    annotated: dict[str, set[str]] = {}
    for cls in evidence:
        for node in cls.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                text = ast.unparse(node.annotation)
                if text.startswith("tuple["):
                    annotated.setdefault(node.target.id, set()).add(text)

    assert len(evidence) == len(state._PARTS) + 1  # the parts and the state itself

    assert {name: {repr(kind)} for name, kind in state._TUPLE_TYPES.items()} == annotated
