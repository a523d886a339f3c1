"""GET /v1/users/{userId}/sessions, to the letter of the contract, on both backends."""

from __future__ import annotations

import time
from typing import Any

import msgspec
import pytest

from notai.api.schemas import SessionPage
from notai.store.bulk import insert_sessions

from conftest import Harness
from factories import session_record

DAY_MS = 86_400_000
PUBLIC_SESSION_FIELDS = {
    "id": str,
    "createdAt": str,
    "updatedAt": str,
    "status": str,
    "botScore": float,
    "detectionFlags": list,
    "pageUrl": str,
    "userAgentSummary": str,
    "userId": str,
    "userName": str,
    "userUrl": str,
}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def seed_user(
    harness: Harness, integration: str, user_id: str, count: int, start: int
) -> list[str]:
    """`count` sessions of one user; every third pair shares a createdAt to test ties."""
    records = [
        session_record(integration, f"{user_id}-{i:05d}", user_id, start + (i // 3) * 1000)
        for i in range(count)
    ]
    harness.run(insert_sessions, harness.db, records)
    ordered = sorted(records, key=lambda r: (r.created_at, r.id), reverse=True)
    return [r.id for r in ordered]


def walk(harness: Harness, key: str, user_id: str, page_size: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"pageSize": page_size}
        if cursor:
            params["cursor"] = cursor
        response = harness.get(f"/v1/users/{user_id}/sessions", key, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(body["data"])
        if not body["pagination"]["hasMore"]:
            assert "nextCursor" not in body["pagination"]
            return seen
        cursor = body["pagination"]["nextCursor"]


def test_walks_1234_sessions_exactly_once_newest_first(harness: Harness) -> None:
    integration = harness.integration("pro")
    key = harness.key(integration)
    expected = seed_user(harness, integration, "u1234", 1234, now_ms() - 3 * DAY_MS)
    seed_user(harness, integration, "someone-else", 30, now_ms() - DAY_MS)

    seen = walk(harness, key, "u1234", 7)

    assert [s["id"] for s in seen] == expected


def test_pages_stay_stable_while_new_sessions_arrive(harness: Harness) -> None:
    integration = harness.integration("pro")
    key = harness.key(integration)
    expected = seed_user(harness, integration, "busy", 60, now_ms() - DAY_MS)
    first = harness.get("/v1/users/busy/sessions", key, pageSize=10).json()
    # Sessions that arrive mid-walk are newer: they must not shift the pages still to come.
    late = [session_record(integration, f"late-{i}", "busy", now_ms() + i) for i in range(15)]
    harness.run(insert_sessions, harness.db, late)
    cursor = first["pagination"]["nextCursor"]
    rest: list[str] = []
    while cursor:
        body = harness.get("/v1/users/busy/sessions", key, pageSize=10, cursor=cursor).json()
        rest.extend(s["id"] for s in body["data"])
        cursor = body["pagination"].get("nextCursor")
    assert [s["id"] for s in first["data"]] + rest == expected


def test_body_has_the_contract_shape(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    seed_user(harness, integration, "shape", 3, now_ms() - DAY_MS)

    response = harness.get("/v1/users/shape/sessions", key, pageSize=2)

    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"data", "pagination"}
    assert set(body["pagination"]) == {"nextCursor", "hasMore", "limit"}
    assert body["pagination"]["limit"] == 2
    for item in body["data"]:
        assert set(item) == set(PUBLIC_SESSION_FIELDS)
        for name, kind in PUBLIC_SESSION_FIELDS.items():
            assert isinstance(item[name], kind), name
        assert item["status"] in ("active", "closed")
        assert item["createdAt"].endswith("Z")
    msgspec.json.decode(response.content, type=SessionPage, strict=True)


@pytest.mark.parametrize(
    ("tier", "asked", "limit"),
    [("free", 500, 50), ("pro", 500, 100), ("free", None, 50), ("pro", 1, 1)],
)
def test_page_size_is_clamped_to_the_tier(
    harness: Harness, tier: Any, asked: int | None, limit: int
) -> None:
    integration = harness.integration(tier)
    key = harness.key(integration)
    params = {} if asked is None else {"pageSize": asked}

    body = harness.get("/v1/users/nobody/sessions", key, **params).json()

    assert body == {"data": [], "pagination": {"hasMore": False, "limit": limit}}


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", " 5", "+5", "1_0"])
def test_bad_page_size_is_a_400_naming_it(harness: Harness, value: str) -> None:
    key = harness.key(harness.integration())

    response = harness.get("/v1/users/u/sessions", key, pageSize=value)

    assert response.status_code == 400
    assert response.headers["x-isnotai-tier"] == "free"
    error = response.json()["error"]
    assert error["code"] == "INVALID_PARAMETER"
    assert error["details"] == {"field": "pageSize"}
    assert set(error) == {"code", "message", "details"}


def _first_cursor(harness: Harness, key: str, user_id: str) -> str:
    body = harness.get(f"/v1/users/{user_id}/sessions", key, pageSize=2).json()
    cursor: str = body["pagination"]["nextCursor"]
    return cursor


def test_tampered_and_foreign_cursors_are_refused(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    other_key = harness.key(harness.integration())
    seed_user(harness, integration, "alice", 5, now_ms() - DAY_MS)
    seed_user(harness, integration, "bob", 5, now_ms() - DAY_MS)
    cursor = _first_cursor(harness, key, "alice")
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]

    attempts = [
        (key, "alice", flipped),
        (key, "alice", "not-a-cursor!"),
        (key, "alice", "x" * 2000),
        (key, "bob", cursor),  # issued for another user
        (other_key, "alice", cursor),  # issued for another integration
    ]
    for attempt_key, user, bad in attempts:
        response = harness.get(f"/v1/users/{user}/sessions", attempt_key, cursor=bad)
        assert response.status_code == 400, (user, bad)
        assert response.json()["error"]["code"] == "INVALID_CURSOR"
        assert response.json()["error"]["details"] == {"field": "cursor"}


def test_history_window_hides_old_sessions(harness: Harness) -> None:
    free = harness.integration("free")
    key = harness.key(free)
    recent = seed_user(harness, free, "old-and-new", 4, now_ms() - 2 * DAY_MS)
    old = [session_record(free, f"old-{i}", "old-and-new", now_ms() - 9 * DAY_MS) for i in range(3)]
    harness.run(insert_sessions, harness.db, old)

    seen = walk(harness, key, "old-and-new", 50)

    assert [s["id"] for s in seen] == recent
    assert harness.get("/v1/sessions/old-0", key).status_code == 404


def test_other_integrations_sessions_are_invisible(harness: Harness) -> None:
    a, b = harness.integration(), harness.integration()
    key_a = harness.key(a)
    seed_user(harness, b, "shared-user-id", 5, now_ms() - DAY_MS)

    listed = harness.get("/v1/users/shared-user-id/sessions", key_a).json()
    single = harness.get("/v1/sessions/shared-user-id-00000", key_a)

    assert listed["data"] == []
    assert single.status_code == 404
    assert single.json()["error"]["code"] == "NOT_FOUND"


def test_session_by_id(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    ids = seed_user(harness, integration, "single", 1, now_ms() - DAY_MS)

    body = harness.get(f"/v1/sessions/{ids[0]}", key).json()

    assert body["data"]["id"] == ids[0]
    assert body["data"]["userId"] == "single"
    assert body["data"]["status"] == "closed"
