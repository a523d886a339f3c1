"""The JSON batch endpoint: accepted batches are durable and scored; bad ones change nothing."""

from __future__ import annotations

import msgspec
import pytest

from notai.collect.protocol import encode_batch
from notai.events import Close, Identify, Input, Keypress
from notai.store import events as events_repo
from notai.store import sessions as sessions_repo

from conftest import Harness
from factories import batch, init, lms, now_ms, person_moves_and_click, session_id

URL = "/collect/v1/batch"


def post(harness: Harness, body: bytes, content_type: str = "application/json") -> object:
    return harness.client.post(URL, content=body, headers={"content-type": content_type})


def event_count(harness: Harness, integration: str, session: str) -> int:
    async def count() -> int:
        async with harness.db.connection() as conn:
            return await events_repo.count_events(conn, integration, session)

    return harness.run(count)


def stored(harness: Harness, integration: str, session: str) -> sessions_repo.SessionRecord | None:
    async def read() -> sessions_repo.SessionRecord | None:
        async with harness.db.connection() as conn:
            return await sessions_repo.get_session_record(conn, integration, session)

    return harness.run(read)


def test_accepted_batch_becomes_a_session_seen_by_the_api(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    sid = session_id()
    body = encode_batch(batch(integration, sid, [init(0), *person_moves_and_click(1)]))

    response = harness.client.post(URL, content=body, headers={"content-type": "text/plain"})

    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 3
    assert response.headers["access-control-allow-origin"] == "*"
    session = harness.get(f"/v1/sessions/{sid}", key).json()["data"]
    assert session["userId"] == "8812"
    assert session["userName"] == "Ada Lovelace"
    assert session["userUrl"] == "https://canvas.example.edu/users/8812"
    assert session["pageUrl"] == "https://canvas.example.edu/courses/101/quizzes/7/take"
    assert session["userAgentSummary"] == "Chrome 131 on Windows"
    assert session["status"] == "active"
    assert session["botScore"] < 0.4
    listed = harness.get("/v1/users/8812/sessions", key).json()["data"]
    assert [s["id"] for s in listed] == [sid]


def test_resent_messages_are_counted_as_duplicates_not_stored_twice(harness: Harness) -> None:
    integration = harness.integration()
    sid = session_id()
    first = batch(integration, sid, [init(0), *person_moves_and_click(1)])
    harness.ingest(first, 1_000)

    again = harness.ingest(
        batch(integration, sid, [*first.events, Close(seq=3, t=first.events[0].t + 9_000)]),
        now_ms() + 2_000,
    )

    assert (again.accepted, again.duplicates) == (1, 3)
    assert event_count(harness, integration, sid) == 4
    record = stored(harness, integration, sid)
    assert record is not None
    assert record.event_count == 4
    assert record.status == "closed"


def test_late_identify_ties_the_session_to_a_user(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    sid = session_id()
    harness.ingest(
        batch(integration, sid, [init(0, context=lms(user_id="", user_name=""))]), now_ms() + 1_000
    )
    identify = Identify(seq=1, t=init(0).t + 50, lms=lms(user_id="42", user_name="Grace Hopper"))

    harness.ingest(batch(integration, sid, [identify]), now_ms() + 1_100)

    body = harness.get("/v1/users/42/sessions", key).json()
    assert [s["userName"] for s in body["data"]] == ["Grace Hopper"]


def test_webdriver_session_is_flagged(harness: Harness) -> None:
    integration = harness.integration()
    key = harness.key(integration)
    sid = session_id()

    harness.ingest(batch(integration, sid, [init(0, webdriver=True)]), now_ms() + 1_000)

    session = harness.get(f"/v1/sessions/{sid}", key).json()["data"]
    assert session["botScore"] >= 0.7
    assert "webdriver" in session["detectionFlags"]


def test_each_batch_rescores_and_one_behavioural_signal_stays_below_bot(harness: Harness) -> None:
    integration = harness.integration()
    sid = session_id()
    harness.ingest(batch(integration, sid, [init(0)]), now_ms() + 1_000)
    t = init(0).t + 2_000
    fast_keys = Keypress(seq=1, t=t, keys=[(i * 5, i * 5 + 3, "letter") for i in range(30)])
    typed = Input(seq=2, t=t + 400, field="answer", inputType="insertText", delta=30, length=30)

    result = harness.ingest(batch(integration, sid, [fast_keys, typed]), now_ms() + 3_000)

    record = stored(harness, integration, sid)
    assert record is not None
    assert result.botScore == record.bot_score
    assert 0.4 <= record.bot_score < 0.7
    flags = msgspec.json.decode(record.detection_flags)
    assert "machine_typing_cadence" in flags


BAD_BODIES = [
    (b"", None),
    (b"{not json", None),
    (b'{"v":1,"integration":"\xff\xfe","session":"session-1","events":[]}', None),
    (b"[]", None),
    (b'{"v":2,"integration":"abcdefgh","session":"session-1","events":[]}', "v"),
    (b'{"v":1,"integration":"ABC","session":"session-1","events":[]}', "integration"),
    (b'{"v":1,"integration":"abcdefgh","session":"x","events":[]}', "session"),
]


@pytest.mark.parametrize(("body", "field"), BAD_BODIES)
def test_malformed_batches_get_a_clear_400(
    harness: Harness, body: bytes, field: str | None
) -> None:
    response = harness.client.post(URL, content=body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "MALFORMED_BATCH"
    assert error["message"]
    if field is not None:
        assert error["details"] == {"field": field}


def test_a_bad_message_rejects_the_whole_batch_and_keeps_what_was_stored(harness: Harness) -> None:
    integration = harness.integration()
    sid = session_id()
    harness.ingest(batch(integration, sid, [init(0), *person_moves_and_click(1)]), now_ms() + 1_000)
    before = stored(harness, integration, sid)
    good = encode_batch(batch(integration, sid, [Close(seq=9, t=init(0).t + 5_000)]))
    broken = good.replace(
        b'"events":[', b'"events":[{"type":"mouse_move","seq":7,"t":1,"samples":[]},'
    )

    response = harness.client.post(URL, content=broken)

    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"].startswith("events[0]")
    assert event_count(harness, integration, sid) == 3
    assert stored(harness, integration, sid) == before


def test_repeated_seq_within_a_batch_is_refused(harness: Harness) -> None:
    integration = harness.integration()
    sid = session_id()
    body = encode_batch(batch(integration, sid, [init(0), init(0)]))

    response = harness.client.post(URL, content=body)

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"field": "events[1].seq"}
    assert stored(harness, integration, sid) is None


def test_unknown_integration_and_oversized_batches(harness: Harness) -> None:
    unknown = harness.client.post(
        URL, content=encode_batch(batch("zzzzzzzz", session_id(), [init(0)]))
    )
    huge = harness.client.post(URL, content=b"x" * 1_100_000)

    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "UNKNOWN_INTEGRATION"
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_preflight_allows_cross_origin_posts(harness: Harness) -> None:
    response = harness.client.options(URL, headers={"origin": "https://canvas.example.edu"})

    assert response.status_code == 204
    assert "POST" in response.headers["access-control-allow-methods"]


def test_the_page_is_never_told_its_score(harness: Harness) -> None:
    integration = harness.integration()
    body = encode_batch(batch(integration, session_id(), [init(0, webdriver=True)]))

    response = harness.client.post(URL, content=body)

    assert response.status_code == 200
    assert set(response.json()) == {"sessionId", "accepted", "duplicates"}
