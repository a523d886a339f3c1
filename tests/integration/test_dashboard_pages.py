"""Dashboard pages: the same numbers as the API, flags on the timeline, clear bad-input pages."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from integration.dashboard_support import Team, flagged_session, new_team
from notai.events import Keypress, KeySample

import factories
from conftest import Harness


def api(harness: Harness, team: Team, path: str, **params: str | int) -> Any:
    key = harness.key(team.integration)
    response = harness.get(path, key, **params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_flagged_session_shows_its_flags_on_the_timeline_explained(harness: Harness) -> None:
    team = new_team(harness)
    session = flagged_session(team).sessionId
    page = team.browser.get(f"/dashboard/sessions/{session}")

    assert page.status_code == 200
    html = page.text
    assert 'class="lane" data-flag="webdriver"' in html
    assert re.search(r'class="flag-mark" data-flag="webdriver" data-t="\d+"', html)
    assert 'id="flag-webdriver"' in html
    assert "navigator.webdriver" in html  # the flag in plain words
    assert "first seen" in html  # its evidence
    assert "Ada Lovelace" in html
    assert "/courses/101/quizzes/7/take" in html  # page history
    assert 'id="replay-data"' in html


def test_the_replay_holds_the_pointer_path_and_clicks(harness: Harness) -> None:
    team = new_team(harness)
    session = flagged_session(team).sessionId
    html = team.browser.get(f"/dashboard/sessions/{session}").text
    island = html.split('<script type="application/json" id="replay-data">')[1].split("</script>")
    replay = msgspec.json.decode(island[0])
    assert len(replay["moves"]) == 20
    assert replay["clicks"][0][1:3] == [240, 259]
    assert [flag for _, flag in replay["marks"]] == ["webdriver"]


def test_fast_typing_is_drawn_below_the_line(harness: Harness) -> None:
    team = new_team(harness)
    keys: list[KeySample] = [(i * 20, i * 20 + 8, "letter") for i in range(15)]
    result = team.ingest([factories.init(0), Keypress(seq=1, t=factories.T0 + 2_000, keys=keys)])
    html = team.browser.get(f"/dashboard/sessions/{result.sessionId}").text
    assert html.count('class="fast"') == 14
    assert "machine_typing_cadence" in html


def test_sessions_page_matches_the_api_and_its_filters(harness: Harness) -> None:
    team = new_team(harness)
    flagged = flagged_session(team).sessionId
    person = team.ingest([factories.init(0), *factories.person_moves_and_click(1)]).sessionId

    everything = team.browser.get("/dashboard/sessions").text
    bots = team.browser.get("/dashboard/sessions?botOnly=true").text
    assert flagged in everything
    assert person in everything
    assert flagged in bots
    assert person not in bots
    api_bots = api(harness, team, "/v1/sessions", botOnly="true")["data"]
    assert [s["id"] for s in api_bots] == [flagged]


def test_users_page_shows_risk_band_counts_and_search(harness: Harness) -> None:
    team = new_team(harness)
    flagged_session(team)
    html = team.browser.get("/dashboard/users").text
    assert "Ada Lovelace" in html
    assert 'class="badge risk-high"' in html
    assert "<polyline" in html
    assert "Ada Lovelace" not in team.browser.get("/dashboard/users?search=zzz").text
    assert "Ada Lovelace" in team.browser.get("/dashboard/users?search=LOVE").text


def test_pages_walk_with_the_apis_page_size_and_cursors(harness: Harness) -> None:
    team = new_team(harness, tier="free")
    ids = {team.ingest([factories.init(0)]).sessionId for _ in range(3)}
    first = team.browser.get("/dashboard/sessions?pageSize=2").text
    cursor = re.search(r'href="\?pageSize=2&amp;cursor=([^"]+)" rel="next"', first)
    assert cursor is not None
    second = team.browser.get(f"/dashboard/sessions?pageSize=2&cursor={cursor.group(1)}").text
    seen = {i for i in ids if i in first} | {i for i in ids if i in second}
    assert seen == ids
    assert 'rel="next"' not in second


def test_analytics_are_the_apis_numbers(harness: Harness) -> None:
    team = new_team(harness)
    flagged_session(team)
    for period, group in (("24h", "hour"), ("7d", "day"), ("90d", "week")):
        html = team.browser.get(f"/dashboard/analytics?period={period}&groupBy={group}").text
        body = api(harness, team, "/v1/analytics", period=period, groupBy=group)["data"]
        assert html.count("<tr><td>") >= len(body["timeSeries"])
        assert f"<option selected>{period}</option>" in html
        assert "bot sessions" in html


def test_bad_values_are_a_page_that_says_what_to_change(harness: Harness) -> None:
    team = new_team(harness)
    cases = {
        "/dashboard/sessions?startDate=yesterday": "startDate",
        "/dashboard/sessions?pageSize=0": "pageSize",
        "/dashboard/sessions?cursor=forged": "cursor",
        "/dashboard/analytics?period=1y": "period",
        "/dashboard/users?search=" + "x" * 201: "search",
    }
    for path, field in cases.items():
        response = team.browser.get(path)
        assert response.status_code == 400, path
        assert "text/html" in response.headers["content-type"]
        assert field in response.text
        assert "Traceback" not in response.text
    missing = team.browser.get("/dashboard/sessions/no-such-session")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]
    unknown = team.browser.get("/dashboard/no/such/page")
    assert unknown.status_code == 404
    assert "text/html" in unknown.headers["content-type"]


def test_the_integration_page_gives_the_pixel_for_each_lms(harness: Harness) -> None:
    team = new_team(harness)
    html = team.browser.get("/dashboard/integration").text
    assert f"data-key=&#34;{team.integration}&#34;" in html  # the tag, shown as text
    for lms in ("Canvas", "Moodle", "Blackboard Learn", "D2L Brightspace", "Schoology", "Sakai"):
        assert f">{lms}</button>" in html
    assert f"s.dataset.key = &#39;{team.integration}&#39;" in html


def test_the_docs_are_served_to_everyone(harness: Harness) -> None:
    pages = {
        "/docs": "Getting started",
        "/docs/authentication": "INVALID_API_KEY",
        "/docs/pagination": "nextCursor",
        "/docs/errors": "RATE_LIMITED",
        "/docs/rate-limits": "Retry-After",
        "/docs/regions": "NOTAI_REGION",
        "/docs/pixel": "data-sample",
        "/docs/protocol": "batch",
        "/docs/privacy": "Never recorded",
        "/docs/api": "/v1/users",
        "/docs/dashboard": "scrypt",
    }
    for path, text in pages.items():
        response = harness.client.get(path)
        assert response.status_code == 200, path
        assert text in response.text, path
        assert 'href="/swagger"' in response.text
    linked = harness.client.get("/docs/getting-started").text
    assert 'href="/docs/configuration"' in linked
    assert 'href="/docs/pixel#what-is-recorded-and-what-is-not"' in linked
    assert harness.client.get("/docs/nothing-here").status_code == 404


def test_static_assets_are_served_without_a_sign_in(harness: Harness) -> None:
    for asset in ("dashboard.css", "dashboard.js", "replay.js"):
        response = harness.client.get(f"/dashboard/static/{asset}")
        assert response.status_code == 200, asset
