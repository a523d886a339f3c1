"""Who is looking at a dashboard page: the signed-in person, their integration and its plan.

Every page of data reads the integration from here and nowhere else, so no page can show
another integration's data: there is no integration id in any dashboard URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from notai.api.state import services
from notai.dashboard import accounts
from notai.dashboard.security import (
    CSRF_FIELD,
    SESSION_COOKIE,
    BadForm,
    read_form,
    same_token,
    session_csrf,
)
from notai.settings import Settings
from notai.store import integrations as integrations_repo
from notai.store.dashboard import UserRecord
from notai.store.integrations import IntegrationRecord, KeyRecord
from notai.tenancy.plans import parse_tier, plan_for
from notai.tenancy.service import Principal, plan_history_days


class SignInRequired(Exception):
    """No live session: the page sends the browser to the sign-in form."""


@dataclass(frozen=True)
class Viewer:
    user: UserRecord
    integration: IntegrationRecord
    principal: Principal
    """The integration's scope and plan, as the API's read paths take them."""
    token: str
    csrf: str


async def current_viewer(request: Request) -> Viewer:
    token = request.cookies.get(SESSION_COOKIE, "")
    app = services(request)
    found = await accounts.signed_in(app.db, token)
    if found is None:
        raise SignInRequired()
    async with app.db.connection() as conn:
        integration = await integrations_repo.get_integration(conn, found.user.integration_id)
    # An integration of the other region is invisible here, as it is to the API.
    if integration is None or integration.region != app.settings.region:
        raise SignInRequired()
    return Viewer(
        user=found.user,
        integration=integration,
        principal=_principal(integration, app.settings, found.created_at),
        token=token,
        csrf=session_csrf(app.settings.secret, token),
    )


def _principal(integration: IntegrationRecord, settings: Settings, signed_in_at: int) -> Principal:
    plan = plan_for(parse_tier(integration.tier), plan_history_days(integration, settings))
    # The dashboard reads through the same scope as an API key of the integration; this
    # stand-in key names the dashboard session, never a real key.
    key = KeyRecord(
        integration_id=integration.id,
        id="dashboard",
        masked="",
        region=integration.region,
        created_at=signed_in_at,
        revoked_at=None,
    )
    return Principal(integration=integration, key=key, plan=plan)


async def checked_form(request: Request, viewer: Viewer) -> dict[str, str]:
    """The posted form, once its CSRF token proves it came from this session's own page."""
    form = await read_form(request)
    if not same_token(viewer.csrf, form.get(CSRF_FIELD)):
        raise BadForm("This form has expired or did not come from this dashboard: reload it.")
    return form
