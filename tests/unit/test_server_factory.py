from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from notai.app import YOUNG_COLLECTION_THRESHOLD, app_from_environment


@pytest.fixture
def cpython_thresholds() -> Iterator[None]:
    """Start from CPython's defaults and give the rest of the suite back what it had."""
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


@pytest.mark.usefixtures("cpython_thresholds")
def test_the_served_app_collects_young_garbage_less_often(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NOTAI_DATABASE_URL", f"sqlite:///{tmp_path}/served.db")

    app = app_from_environment()

    assert isinstance(app, Starlette)
    assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, 10, 10)
    assert gc.isenabled()
