"""Dashboard test helpers: a team (integration and admin) and a browser with its own cookies.

One test may need two people signed in at once (tenant isolation), while the harness has a
single client: each `Browser` keeps its own cookies and sends them itself.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from notai.collect.ingest import IngestResult
from notai.dashboard import accounts
from notai.events import Message
from notai.tenancy.plans import Tier

import factories
from conftest import Harness

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Browser:
    harness: Harness
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        client = self.harness.client
        client.cookies.clear()
        headers = dict(kwargs.pop("headers", {}))
        if self.cookies:
            headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = client.request(method, path, headers=headers, follow_redirects=False, **kwargs)
        client.cookies.clear()
        self._remember(response)
        return response

    def _remember(self, response: Any) -> None:
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value.strip('"'):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> Any:
        return self.request("POST", path, data=data, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        form = self.get("/dashboard/sign-in")
        return self.post(
            "/dashboard/sign-in",
            {"csrf": csrf_of(form.text), "email": email, "password": password},
        )

    def submit(self, page: str, action: str, **fields: str) -> Any:
        """Post a form the way the page at `page` would, with its CSRF token."""
        html = self.get(page).text
        return self.post(action, {"csrf": csrf_of(html), **fields})


@dataclass
class Team:
    """An integration with its administrator, signed in in a browser of their own."""

    harness: Harness
    integration: str
    email: str
    browser: Browser

    def ingest(self, events: list[Message], received_at_ms: int | None = None) -> IngestResult:
        session = factories.session_id()
        batch = factories.batch(self.integration, session, events)
        return self.harness.ingest(batch, received_at_ms or factories.now_ms())


def unique_email(name: str = "admin") -> str:
    # The PostgreSQL test database keeps accounts across tests: addresses must not repeat.
    return f"{name}-{secrets.token_hex(5)}@example.edu"


def new_team(harness: Harness, tier: Tier = "pro", sign_in: bool = True) -> Team:
    integration = harness.integration(tier)
    email = unique_email()
    harness.run(accounts.create_admin, harness.db, integration, email, PASSWORD)
    browser = Browser(harness)
    if sign_in:
        response = browser.sign_in(email)
        assert response.status_code == 303, response.text
    return Team(harness, integration, email, browser)


def flagged_session(team: Team) -> IngestResult:
    """A session whose browser said it was automated (navigator.webdriver), with a trail."""
    return team.ingest([factories.init(0, webdriver=True), *factories.person_moves_and_click(1)])
