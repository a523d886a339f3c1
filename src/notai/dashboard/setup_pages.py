"""The integration page (pixel tag per LMS) and API keys (mint, list masked, revoke)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from notai.api.state import services
from notai.dashboard.render import PREFIX, page, render
from notai.dashboard.snippets import installs, script_tag, server_base
from notai.dashboard.viewer import checked_form, current_viewer
from notai.store import integrations as integrations_repo
from notai.tenancy import service

KEY_ID_LENGTH = 12


@page
async def integration_page(request: Request) -> Response:
    """The integration: its plan and region, and its pixel's tag for each LMS."""
    viewer = await current_viewer(request)
    integration = viewer.integration
    base = server_base(request)
    return render(
        request,
        "integration.html",
        viewer,
        plan=viewer.principal.plan,
        tag=script_tag(base, integration.id, integration.region),
        installs=installs(base, integration.id, integration.region),
        origins=service.parse_allowed_origins(integration.allowed_origins),
        base=base,
    )


async def _keys_page(request: Request, status: int = 200, **extra: object) -> Response:
    viewer = await current_viewer(request)
    async with services(request).db.connection() as conn:
        keys = await integrations_repo.list_keys(conn, viewer.integration.id)
    keys.sort(key=lambda k: (k.revoked_at is not None, -k.created_at))
    context: dict[str, object] = {"new_key": None, "revoked": None, **extra}
    return render(
        request,
        "keys.html",
        viewer,
        status=status,
        keys=keys,
        base=server_base(request),
        **context,
    )


@page
async def keys_page(request: Request) -> Response:
    """API keys of the integration, masked; revoked ones last."""
    revoked = request.query_params.get("revoked")
    return await _keys_page(request, revoked=revoked[:KEY_ID_LENGTH] if revoked else None)


@page
async def mint_key(request: Request) -> Response:
    """Mint a key and show it on this one response; it is never shown again."""
    viewer = await current_viewer(request)
    await checked_form(request, viewer)
    app = services(request)
    new_key = await service.create_key(app.db, app.settings, viewer.integration.id)
    return await _keys_page(request, status=201, new_key=new_key)


@page
async def revoke_key(request: Request) -> Response:
    """Revoke one of this integration's keys (another integration's key id matches none)."""
    viewer = await current_viewer(request)
    await checked_form(request, viewer)
    key_id = str(request.path_params["key_id"])[:KEY_ID_LENGTH]
    await service.revoke_key_by_id(services(request).db, viewer.integration.id, key_id)
    return RedirectResponse(f"{PREFIX}/keys?revoked={key_id}", status_code=303)
