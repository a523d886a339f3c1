"""API keys from the dashboard: minted and shown once, listed masked, revoked."""

from __future__ import annotations

import re

from integration.dashboard_support import new_team

from conftest import Harness

_KEY = re.compile(r"aik_v1_[A-Za-z0-9_-]{40}")


def test_a_minted_key_is_shown_once_and_works_against_the_api(harness: Harness) -> None:
    team = new_team(harness)
    minted = team.browser.submit("/dashboard/keys", "/dashboard/keys")

    assert minted.status_code == 201
    assert minted.headers["cache-control"] == "no-store"
    keys = set(_KEY.findall(minted.text))
    assert len(keys) == 1
    key = keys.pop()
    api = harness.get("/v1/integration", key)
    assert api.status_code == 200
    assert api.json()["data"]["id"] == team.integration

    listed = team.browser.get("/dashboard/keys").text
    assert key not in listed
    assert api.json()["data"]["apiKeyMasked"] in listed


def test_a_revoked_key_is_refused_by_the_api(harness: Harness) -> None:
    team = new_team(harness)
    key = _KEY.findall(team.browser.submit("/dashboard/keys", "/dashboard/keys").text)[0]
    key_id = team.browser.get("/dashboard/keys").text.split('data-key-id="')[1][:12]

    revoked = team.browser.submit("/dashboard/keys", f"/dashboard/keys/{key_id}/revoke")
    assert revoked.status_code == 303
    page = team.browser.get(revoked.headers["location"]).text
    assert "was revoked" in page
    assert "badge revoked" in page
    assert harness.get("/v1/integration", key).status_code == 401


def test_keys_minted_elsewhere_are_listed_masked(harness: Harness) -> None:
    team = new_team(harness)
    key = harness.key(team.integration)
    page = team.browser.get("/dashboard/keys").text
    assert key not in page
    assert f"{key[:11]}••••••••{key[-4:]}" in page
