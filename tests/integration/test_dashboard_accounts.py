"""Dashboard accounts: signing in and out, the session cookie, CSRF, and tenant isolation."""

from __future__ import annotations

import pytest

from integration.dashboard_support import (
    PASSWORD,
    Browser,
    csrf_of,
    flagged_session,
    new_team,
    unique_email,
)
from notai.dashboard import accounts
from notai.dashboard.passwords import WeakPassword, hash_password, verify_password
from notai.store import dashboard as dashboard_repo
from notai.tenancy.service import UnknownIntegration

from conftest import Harness

PAGES = (
    "/dashboard/users",
    "/dashboard/sessions",
    "/dashboard/analytics",
    "/dashboard/integration",
    "/dashboard/keys",
)


def test_every_page_sends_a_stranger_to_the_sign_in_form(harness: Harness) -> None:
    browser = Browser(harness)
    for page in (*PAGES, "/dashboard/sessions/abc", "/dashboard/users/8812/sessions"):
        response = browser.get(page)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/dashboard/sign-in?next=")


def test_signing_in_sets_a_safe_cookie_and_opens_the_pages(harness: Harness) -> None:
    team = new_team(harness, sign_in=False)
    response = team.browser.sign_in(team.email)

    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/users"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("notai_session=")
    )
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # served over plain http here
    for page in PAGES:
        shown = team.browser.get(page)
        assert shown.status_code == 200, page
        assert "text/html" in shown.headers["content-type"]
        assert "frame-ancestors 'none'" in shown.headers["content-security-policy"]
        assert shown.headers["cache-control"] == "no-store"


def test_the_cookie_is_secure_behind_an_https_proxy(harness: Harness) -> None:
    team = new_team(harness, sign_in=False)
    form = team.browser.get("/dashboard/sign-in", headers={"x-forwarded-proto": "https"})
    response = team.browser.post(
        "/dashboard/sign-in",
        {"csrf": csrf_of(form.text), "email": team.email, "password": PASSWORD},
        headers={"x-forwarded-proto": "https"},
    )
    assert response.status_code == 303
    assert all("Secure" in c for c in response.headers.get_list("set-cookie"))


def test_only_a_hash_of_the_session_token_is_stored(harness: Harness) -> None:
    team = new_team(harness)
    token = team.browser.cookies["notai_session"]

    async def stored() -> list[str]:
        async with harness.db.connection() as conn:
            rows = await conn.fetch("SELECT token_hash FROM dashboard_sessions")
        return [row["token_hash"] for row in rows]

    hashes = harness.run(stored)
    assert token not in hashes
    assert accounts.token_hash(token) in hashes


def test_a_wrong_password_or_address_is_refused_with_one_message(harness: Harness) -> None:
    team = new_team(harness, sign_in=False)
    wrong_password = team.browser.sign_in(team.email, "not the password at all")
    unknown = Browser(harness).sign_in(unique_email(), PASSWORD)

    for response in (wrong_password, unknown):
        assert response.status_code == 401
        assert "The e-mail address or the password is wrong." in response.text
        assert "notai_session" not in response.headers.get("set-cookie", "")


def test_ten_wrong_passwords_lock_the_account(harness: Harness) -> None:
    team = new_team(harness, sign_in=False)
    for _ in range(accounts.MAX_FAILED_SIGN_INS):
        assert team.browser.sign_in(team.email, "wrong password 123").status_code == 401
    locked = team.browser.sign_in(team.email, PASSWORD)
    assert locked.status_code == 401
    assert "Too many wrong passwords" in locked.text


def test_sign_out_ends_the_session_on_the_server(harness: Harness) -> None:
    team = new_team(harness)
    token = team.browser.cookies["notai_session"]
    response = team.browser.submit("/dashboard/users", "/dashboard/sign-out")
    assert response.status_code == 303
    assert "notai_session" not in team.browser.cookies

    replayed = Browser(harness, {"notai_session": token})
    assert replayed.get("/dashboard/users").status_code == 303


def test_a_form_without_the_right_csrf_token_is_refused(harness: Harness) -> None:
    team = new_team(harness)
    for fields in ({}, {"csrf": ""}, {"csrf": "0" * 64}):
        response = team.browser.post("/dashboard/keys", fields)
        assert response.status_code == 400
        assert "The form was refused" in response.text
    assert team.browser.post("/dashboard/sign-out", {"csrf": "x"}).status_code == 400
    assert team.browser.get("/dashboard/users").status_code == 200  # still signed in


def test_another_sessions_csrf_token_does_not_work(harness: Harness) -> None:
    first, second = new_team(harness), new_team(harness)
    token_of_first = csrf_of(first.browser.get("/dashboard/keys").text)
    response = second.browser.post("/dashboard/keys", {"csrf": token_of_first})
    assert response.status_code == 400


def test_a_form_posted_from_another_site_is_refused(harness: Harness) -> None:
    team = new_team(harness)
    token = csrf_of(team.browser.get("/dashboard/keys").text)
    response = team.browser.post(
        "/dashboard/keys", {"csrf": token}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 400
    assert "another site" in response.text


def test_the_sign_in_form_needs_its_own_token(harness: Harness) -> None:
    team = new_team(harness, sign_in=False)
    response = team.browser.post(
        "/dashboard/sign-in", {"csrf": "forged", "email": team.email, "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "notai_session" not in team.browser.cookies


def test_next_leads_only_to_dashboard_pages(harness: Harness) -> None:
    team = new_team(harness, sign_in=False)
    form = team.browser.get("/dashboard/sign-in?next=https://evil.example/")
    response = team.browser.post(
        "/dashboard/sign-in",
        {
            "csrf": csrf_of(form.text),
            "email": team.email,
            "password": PASSWORD,
            "next": "//evil.example/dashboard/",
        },
    )
    assert response.headers["location"] == "/dashboard/users"


def test_one_integrations_person_never_sees_anothers_data(harness: Harness) -> None:
    ours, theirs = new_team(harness), new_team(harness)
    their_session = flagged_session(theirs).sessionId
    their_key = harness.key(theirs.integration)
    their_key_id = theirs.browser.get("/dashboard/keys").text.split('data-key-id="')[1][:12]

    assert their_session in theirs.browser.get("/dashboard/sessions").text
    assert their_session not in ours.browser.get("/dashboard/sessions").text
    assert "Ada Lovelace" not in ours.browser.get("/dashboard/users").text
    assert ours.browser.get(f"/dashboard/sessions/{their_session}").status_code == 404
    assert their_session not in ours.browser.get("/dashboard/users/8812/sessions").text
    assert their_key_id not in ours.browser.get("/dashboard/keys").text
    assert theirs.integration not in ours.browser.get("/dashboard/integration").text

    # Revoking their key by its id from our session changes nothing.
    ours.browser.submit("/dashboard/keys", f"/dashboard/keys/{their_key_id}/revoke")
    assert harness.get("/v1/integration", their_key).status_code == 200


def test_create_admin_checks_its_input(harness: Harness) -> None:
    integration = harness.integration()
    email = unique_email()
    with pytest.raises(accounts.InvalidEmail):
        harness.run(accounts.create_admin, harness.db, integration, "not-an-address", PASSWORD)
    with pytest.raises(WeakPassword):
        harness.run(accounts.create_admin, harness.db, integration, email, "short")
    with pytest.raises(UnknownIntegration):
        harness.run(accounts.create_admin, harness.db, "nosuchid", email, PASSWORD)
    harness.run(accounts.create_admin, harness.db, integration, email.upper(), PASSWORD)
    with pytest.raises(accounts.EmailTaken):
        harness.run(accounts.create_admin, harness.db, integration, email, PASSWORD)


def test_passwords_are_stored_as_scrypt_hashes(harness: Harness) -> None:
    team = new_team(harness, sign_in=False)

    async def stored() -> dashboard_repo.UserRecord | None:
        async with harness.db.connection() as conn:
            return await dashboard_repo.find_user_by_email(conn, team.email)

    user = harness.run(stored)
    assert user is not None
    assert user.password_hash.startswith("scrypt$32768$8$1$")
    assert PASSWORD not in user.password_hash
    assert verify_password(PASSWORD, user.password_hash)
    assert not verify_password(PASSWORD + "!", user.password_hash)
    assert not verify_password(PASSWORD, "scrypt$broken")
    assert hash_password(PASSWORD) != user.password_hash  # salted
