"""The command line others script against, run as a real process on a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import TEST_SECRET

NOTAI = str(Path(sys.executable).with_name("notai"))


def notai(
    database_url: str, *args: str, check: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "NOTAI_DATABASE_URL": database_url, "NOTAI_SECRET": TEST_SECRET, **env}
    result = subprocess.run(  # noqa: S603 (our own entry point, fixed arguments)
        [NOTAI, *args], env=environ, capture_output=True, text=True, timeout=120, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fresh' / 'notai.db'}"


def test_integration_key_revoke_on_a_fresh_database(fresh_sqlite: str) -> None:
    created = as_json(
        notai(
            fresh_sqlite,
            "integrations",
            "create",
            "--name",
            "Demo U",
            "--tier",
            "pro",
            "--region",
            "eu",
            "--json",
        )
    )
    assert set(created) == {"id", "name", "tier", "region"}
    assert (created["name"], created["tier"], created["region"]) == ("Demo U", "pro", "eu")
    assert len(created["id"]) == 8

    key = as_json(notai(fresh_sqlite, "keys", "create", "--integration", created["id"], "--json"))
    assert key["key"].startswith("aik_v1_")
    assert len(key["key"]) == 47
    assert key["masked"].endswith(key["key"][-4:])

    notai(fresh_sqlite, "keys", "revoke", "--key", key["key"])
    again = notai(fresh_sqlite, "keys", "revoke", "--key", key["key"], check=False)
    assert again.returncode == 1
    assert "no active key" in again.stderr


def test_the_stored_key_is_only_a_hash(fresh_sqlite: str) -> None:
    created = as_json(notai(fresh_sqlite, "integrations", "create", "--name", "X", "--json"))
    key = as_json(notai(fresh_sqlite, "keys", "create", "--integration", created["id"], "--json"))[
        "key"
    ]

    raw = Path(fresh_sqlite.removeprefix("sqlite:///")).read_bytes()

    assert key.encode() not in raw
    assert key[7:].encode() not in raw


def test_bad_input_is_a_clear_message_not_a_trace(fresh_sqlite: str) -> None:
    cases = [
        ("integrations", "create", "--name", "X", "--tier", "gold"),
        ("integrations", "create", "--name", "X", "--region", "mars"),
        ("keys", "create", "--integration", "nope0000"),
        ("keys", "revoke"),
    ]
    for args in cases:
        result = notai(fresh_sqlite, *args, check=False)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr + result.stdout, args


def test_production_refuses_the_default_secret(fresh_sqlite: str) -> None:
    environ = {**os.environ, "NOTAI_DATABASE_URL": fresh_sqlite, "NOTAI_ENV": "production"}
    environ.pop("NOTAI_SECRET", None)
    result = subprocess.run(  # noqa: S603
        [NOTAI, "migrate"], env=environ, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 2
    assert "NOTAI_SECRET" in result.stderr


def test_demo_feeds_sessions_through_ingest(database_url: str) -> None:
    created = as_json(
        notai(database_url, "integrations", "create", "--name", "Demo", "--tier", "pro", "--json")
    )

    result = notai(
        database_url, "demo", "--integration", created["id"], "--users", "4", "--sessions", "30"
    )

    assert "30 demo sessions for 4 users" in result.stderr
    unknown = notai(
        database_url, "demo", "--integration", "zzzzzzzz", "--sessions", "2", check=False
    )
    assert unknown.returncode != 0
    assert "Traceback" not in unknown.stderr


def test_rollups_rebuild(fresh_sqlite: str) -> None:
    created = as_json(notai(fresh_sqlite, "integrations", "create", "--name", "R", "--json"))
    notai(fresh_sqlite, "demo", "--integration", created["id"], "--users", "2", "--sessions", "5")

    result = notai(fresh_sqlite, "rollups", "rebuild", "--integration", created["id"])

    assert "from 5 sessions" in result.stderr
