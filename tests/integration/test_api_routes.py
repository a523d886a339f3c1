"""The rest of the v1 routes: sessions with filters, details, events, users, courses,
analytics, stats and usage, with the contract's field names and their failure modes."""

from __future__ import annotations

from typing import Any

import pytest

from notai.collect.rebuild import rebuild_rollups
from notai.events import Close, Keypress, LmsContext, Navigation, Scroll
from notai.store.bulk import insert_sessions

from conftest import Harness
from factories import (
    CHROME,
    batch,
    init,
    lms,
    now_ms,
    person_moves_and_click,
    session_id,
    session_record,
)

HEADLESS = CHROME.replace("Chrome/131", "HeadlessChrome/131")


def seed_person(
    harness: Harness, integration: str, user: str = "8812", received: int | None = None
) -> str:
    sid = session_id()
    t = init(0).t
    messages = [
        init(0, context=lms(user_id=user, user_name=f"Student {user}")),
        *person_moves_and_click(1),
        Scroll(seq=3, t=t + 3_000, samples=[(0, 0, 90), (40, 0, 180)]),
        Keypress(
            seq=4, t=t + 4_000, keys=[(0, 90, "letter"), (210, 300, "letter"), (430, 510, "space")]
        ),
        Navigation(
            seq=5, t=t + 9_000, url="https://canvas.example.edu/courses/101/quizzes/7/take?page=2"
        ),
        Close(seq=6, t=t + 20_000),
    ]
    harness.ingest(batch(integration, sid, messages), received or now_ms())
    return sid


def seed_bot(harness: Harness, integration: str, user: str = "8812") -> str:
    sid = session_id()
    harness.ingest(
        batch(
            integration,
            sid,
            [init(0, user_agent=HEADLESS, webdriver=True, context=lms(user_id=user))],
        ),
        now_ms(),
    )
    return sid


def data(harness: Harness, path: str, key: str, **params: str | int) -> Any:
    response = harness.get(path, key, **params)
    assert response.status_code == 200, response.text
    assert response.headers["x-isnotai-tier"]
    return response.json()


def test_list_sessions_filters(harness: Harness) -> None:
    integration = harness.integration("pro")
    key = harness.key(integration)
    person, bot = seed_person(harness, integration), seed_bot(harness, integration)

    everything = data(harness, "/v1/sessions", key)["data"]
    bots = data(harness, "/v1/sessions", key, botOnly="true")["data"]
    closed = data(harness, "/v1/sessions", key, status="closed")["data"]
    active = data(harness, "/v1/sessions", key, status="active")["data"]
    future = data(harness, "/v1/sessions", key, startDate="2999-01-01")["data"]
    today = data(harness, "/v1/sessions", key, endDate=everything[0]["createdAt"][:10])["data"]

    assert [s["id"] for s in everything] == [bot, person]
    assert [s["id"] for s in bots] == [bot]
    assert [s["id"] for s in closed] == [person]
    assert [s["id"] for s in active] == [bot]
    assert future == []
    assert {s["id"] for s in today} == {bot, person}


def test_list_sessions_walks_a_filtered_history_once(harness: Harness) -> None:
    integration = harness.integration("pro")
    key = harness.key(integration)
    start = now_ms() - 3 * 86_400_000
    records = [
        session_record(
            integration, f"s{i:04d}", f"u{i % 7}", start + (i // 4) * 1000, bot_score=(i % 10) / 10
        )
        for i in range(300)
    ]
    harness.run(insert_sessions, harness.db, records)
    expected = sorted(
        (r for r in records if r.bot_score >= 0.7), key=lambda r: (r.created_at, r.id), reverse=True
    )
    seen: list[str] = []
    cursor = ""
    while True:
        body = data(harness, "/v1/sessions", key, botOnly="true", pageSize=9, cursor=cursor)
        seen.extend(s["id"] for s in body["data"])
        if not body["pagination"]["hasMore"]:
            break
        cursor = body["pagination"]["nextCursor"]
    assert seen == [r.id for r in expected]
    wrong_filter = harness.get("/v1/sessions", key, botOnly="false", cursor=cursor)
    assert wrong_filter.json()["error"]["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/sessions", {"status": "gone"}, "status"),
        ("/v1/sessions", {"status": "ACTIVE"}, "status"),
        ("/v1/sessions", {"botOnly": "1"}, "botOnly"),
        ("/v1/sessions", {"startDate": "20261127"}, "startDate"),
        ("/v1/sessions", {"startDate": "0001-01-01"}, "startDate"),
        ("/v1/usage", {"endDate": "0001-01-01"}, "endDate"),
        ("/v1/usage", {"endDate": "2026-11-27T10:00:00Z"}, "endDate"),
        ("/v1/users", {"search": "a\x00b"}, "search"),
        ("/v1/sessions", {"botOnly": "maybe"}, "botOnly"),
        ("/v1/sessions", {"startDate": "yesterday"}, "startDate"),
        ("/v1/sessions", {"endDate": "2026-13-01"}, "endDate"),
        ("/v1/sessions", {"startDate": "2026-05-02", "endDate": "2026-05-01"}, "startDate"),
        ("/v1/users", {"pageSize": "0"}, "pageSize"),
        ("/v1/users", {"search": "x" * 201}, "search"),
        ("/v1/courses", {"cursor": "bogus"}, "cursor"),
        ("/v1/analytics", {"period": "1y"}, "period"),
        ("/v1/analytics", {"groupBy": "month"}, "groupBy"),
        ("/v1/usage", {"metric": "Pageviews"}, "metric"),
        ("/v1/usage", {"startDate": "2026-02-30"}, "startDate"),
        ("/v1/usage", {"startDate": "2025-01-01", "endDate": "2026-06-01"}, "startDate"),
    ],
)
def test_invalid_parameters_name_their_field(
    harness: Harness, path: str, params: dict[str, str], field: str
) -> None:
    key = harness.key(harness.integration())

    response = harness.get(path, key, **params)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"]["field"] == field


def test_session_details(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    sid = seed_person(harness, integration)

    details = data(harness, f"/v1/sessions/{sid}/details", key)["data"]

    assert details["sessionId"] == sid
    assert details["durationSeconds"] == 20.0
    assert details["eventCounts"] == {
        "total": 7,
        "mouse": 2,
        "scroll": 1,
        "keyboard": 1,
        "touch": 0,
        "form": 0,
    }
    assert sum(b["eventCount"] for b in details["timeline"]) == 7
    assert {b["activityLevel"] for b in details["timeline"]} <= {"idle", "low", "medium", "high"}
    assert details["timeline"][0]["dominantEventType"] in ("init", "mouse_move")
    assert [(p["type"], p["durationMs"]) for p in details["pageHistory"]] == [
        ("load", 9_000),
        ("route", 11_000),
    ]
    assert details["pageHistory"][1]["url"].endswith("?page=2")


def test_session_events(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    sid = seed_person(harness, integration)
    t = init(0).t

    first = data(harness, f"/v1/sessions/{sid}/events", key, pageSize=4)
    rest = data(
        harness,
        f"/v1/sessions/{sid}/events",
        key,
        pageSize=4,
        cursor=first["pagination"]["nextCursor"],
    )
    clicks = [
        data(harness, f"/v1/sessions/{sid}/events", key, type=v)["data"]
        for v in ("3", "0x03", "mouse_click")
    ]
    window = data(
        harness, f"/v1/sessions/{sid}/events", key, startTime=t + 3_000, endTime=t + 9_000
    )["data"]

    assert first["pagination"]["limit"] == 4
    events = first["data"] + rest["data"]
    assert [e["eventTypeName"] for e in events] == [
        "init", "mouse_move", "mouse_click", "scroll", "keypress", "navigation", "close",
    ]  # fmt: skip
    assert set(events[0]) == {"eventId", "messageId", "eventTypeName", "timestamp", "payloadSize"}
    assert events[2]["messageId"] == 3
    assert all(e["payloadSize"] > 0 for e in events)
    assert clicks[0] == clicks[1] == clicks[2]
    assert [e["eventTypeName"] for e in clicks[0]] == ["mouse_click"]
    assert [e["eventTypeName"] for e in window] == ["scroll", "keypress", "navigation"]
    for bad in ("99", "0xzz", "teleport"):
        response = harness.get(f"/v1/sessions/{sid}/events", key, type=bad)
        assert response.json()["error"]["details"] == {"field": "type"}
    other_key = harness.key(harness.integration())
    assert harness.get(f"/v1/sessions/{sid}/events", other_key).status_code == 404
    assert harness.get(f"/v1/sessions/{sid}/details", other_key).status_code == 404


def test_users_roll_up_their_sessions(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    seed_person(harness, integration, "8812")
    seed_bot(harness, integration, "8812")
    seed_person(harness, integration, "4242")

    users = data(harness, "/v1/users", key)["data"]
    found = data(harness, "/v1/users", key, search="STUDENT 42")["data"]

    by_id = {u["userId"]: u for u in users}
    assert set(by_id) == {"8812", "4242"}
    ada = by_id["8812"]
    assert (ada["sessionCount"], ada["botSessionCount"], ada["mediumSessionCount"]) == (2, 1, 0)
    assert ada["riskLevel"] == "high"
    assert ada["maxBotScore"] >= 0.7
    assert ada["deviceCount"] == 2
    assert ada["sparkline"][-1] == 2
    assert len(ada["sparkline"]) == 14
    assert by_id["4242"]["riskLevel"] == "low"
    assert [u["userId"] for u in found] == ["4242"]


def test_sparklines_are_sessions_a_day_over_the_last_fourteen_days(harness: Harness) -> None:
    day_ms = 86_400_000
    today = now_ms() // day_ms
    days_ago = {"ada": [0, 0, 1, 3, 6, 7, 8, 13, 13, 14, 20], "bob": [2, 13], "cy": [20]}
    for tier in ("enterprise", "free"):
        integration = harness.integration(tier)
        records = [
            session_record(integration, f"{user}{i}", user, (today - ago) * day_ms + i)
            for user, agos in days_ago.items()
            for i, ago in enumerate(agos)
        ]
        harness.run(insert_sessions, harness.db, records)
        harness.run(rebuild_rollups, harness.db, integration)
        users = data(harness, "/v1/users", harness.key(integration))["data"]
        lines = {u["userId"]: u["sparkline"] for u in users}
        # The free plan sees 7 days and midnight before them: the days before count 0.
        hidden = 6 if tier == "free" else 0
        expected = {
            user: [0] * hidden + [agos.count(13 - i) for i in range(hidden, 14)]
            for user, agos in days_ago.items()
            if tier == "enterprise" or min(agos) <= 7
        }
        assert lines == expected, tier
    assert expected["ada"] == [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 2]


def test_courses_from_context_and_from_the_url(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    seed_person(harness, integration)
    moodle = init(
        0,
        context=LmsContext(userId="77"),
        url="https://moodle.example.edu/course/view.php?id=42",
    )
    harness.ingest(batch(integration, session_id(), [moodle]), now_ms())

    courses = {c["courseId"]: c for c in data(harness, "/v1/courses", key)["data"]}

    assert courses["101"]["courseName"] == "Calculus I"
    assert courses["101"]["provider"] == "canvas"
    assert courses["42"]["provider"] == "moodle"
    assert (courses["101"]["sessionCount"], courses["101"]["userCount"]) == (1, 1)


def test_analytics_stats_and_usage_agree(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    seed_person(harness, integration, "1")
    seed_person(harness, integration, "2")
    seed_bot(harness, integration, "2")

    analytics = data(harness, "/v1/analytics", key, period="24h", groupBy="hour")["data"]
    stats = data(harness, "/v1/stats", key)["data"]
    usage = data(harness, "/v1/usage", key)

    assert analytics["summary"]["totalSessions"] == 3
    assert analytics["summary"]["totalEvents"] == 15
    assert analytics["summary"]["uniqueUsers"] == 2
    assert analytics["summary"]["uniqueBots"] == 1
    assert sum(p["sessionCount"] for p in analytics["timeSeries"]) == 3
    assert sum(p["botCount"] for p in analytics["timeSeries"]) == 1
    assert len(analytics["timeSeries"]) in (24, 25)
    assert sum(analytics["botDetection"].values()) == 3
    assert analytics["userMatching"]["matchRate"] == 1.0
    assert analytics["topOrigins"][0]["origin"] == "https://canvas.example.edu"
    assert analytics["deviceBreakdown"]["desktop"] == 3
    assert (stats["totalSessions"], stats["botSessions"], stats["totalUsers"]) == (3, 1, 2)
    assert stats["flaggedUsers"] == 1
    assert usage["totals"]["Events"] == 15
    assert usage["totals"]["Sessions"] == 3
    assert usage["totals"]["StorageBytes"] > 0
    assert usage["totals"]["BotAnalyses"] == 3
    assert {p["metricType"] for p in usage["data"]} >= {"Events", "Sessions"}
    only = data(harness, "/v1/usage", key, metric="events")
    assert set(only["totals"]) == {"Events"}
    assert set(usage) == {"startDate", "endDate", "data", "totals"}


def test_repeated_parameters_and_nul_in_paths_are_refused(harness: Harness) -> None:
    key = harness.key(harness.integration())
    headers = {"Authorization": f"Bearer {key}"}

    twice = harness.client.get("/v1/sessions", headers=headers, params={"pageSize": ["5", "7"]})
    nul = harness.client.get("/v1/users/a%00b/sessions", headers=headers)

    assert twice.status_code == 400
    assert twice.json()["error"]["details"] == {"field": "pageSize"}
    assert nul.status_code == 400
    assert nul.json()["error"]["details"] == {"field": "userId"}
