"""Signing in and out of the dashboard."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from notai.api.state import services
from notai.dashboard import accounts
from notai.dashboard.render import PREFIX, page, render
from notai.dashboard.security import (
    CSRF_FIELD,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    BadForm,
    clear_cookie,
    new_sign_in_nonce,
    read_form,
    same_token,
    set_cookie,
    sign_in_csrf,
)
from notai.dashboard.viewer import SignInRequired, checked_form, current_viewer

SIGN_IN_FORM_SECONDS = 3600
HOME = f"{PREFIX}/users"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a dashboard path only, never another site."""
    if target and target.startswith(PREFIX + "/") and "//" not in target and "\\" not in target:
        return target
    return HOME


def _form_page(request: Request, email: str, error: str | None, status: int) -> Response:
    nonce = new_sign_in_nonce()
    response = render(
        request,
        "sign_in.html",
        status=status,
        csrf=sign_in_csrf(services(request).settings.secret, nonce),
        email=email,
        error=error,
        next=safe_next(request.query_params.get("next")),
    )
    set_cookie(request, response, SIGN_IN_COOKIE, nonce, SIGN_IN_FORM_SECONDS)
    return response


@page
async def sign_in_form(request: Request) -> Response:
    """The sign-in form; a signed-in browser goes straight on."""
    try:
        await current_viewer(request)
    except SignInRequired:
        return _form_page(request, "", None, 200)
    return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)


@page
async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    nonce = request.cookies.get(SIGN_IN_COOKIE, "")
    secret = services(request).settings.secret
    if not nonce or not same_token(sign_in_csrf(secret, nonce), form.get(CSRF_FIELD)):
        raise BadForm("The sign-in form has expired or came from another site: reload it.")
    email = form.get("email", "")[:320]
    try:
        token, _ = await accounts.sign_in(services(request).db, email, form.get("password", ""))
    except accounts.SignInRefused as exc:
        return _form_page(request, email, str(exc), 401)
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, accounts.SESSION_MS // 1000)
    clear_cookie(request, response, SIGN_IN_COOKIE)
    return response


@page
async def sign_out(request: Request) -> Response:
    viewer = await current_viewer(request)
    await checked_form(request, viewer)
    await accounts.sign_out(services(request).db, viewer.token)
    response = RedirectResponse(f"{PREFIX}/sign-in", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    return response
