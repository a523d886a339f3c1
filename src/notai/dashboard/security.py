"""What keeps a browser's session safe: the cookie, CSRF tokens, form bodies, page headers.

- The session cookie holds a random token (the database keeps its SHA-256): HttpOnly,
  SameSite=Lax, Secure whenever the page was served over https.
- Every state-changing form carries a CSRF token. Signed in, it is HMAC(secret, session
  token): bound to that browser's session, stored nowhere. On the sign-in form, where there
  is no session yet, it is HMAC(secret, a random value in a short-lived cookie) (a
  double-submitted, signed cookie), so another site cannot sign a browser in to its account.
- A POST whose `Origin` names another site is refused before anything else.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "notai_session"
SIGN_IN_COOKIE = "notai_sign_in"
CSRF_FIELD = "csrf"
MAX_FORM_BYTES = 16_384
MAX_FORM_FIELDS = 20

# Scripts and styles come from this server only, nothing may frame a page, and forms post
# back here only. JSON data islands (`<script type="application/json">`) do not execute.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


class BadForm(Exception):
    """A form body the dashboard cannot read, or whose CSRF token does not match."""


def is_https(request: Request) -> bool:
    """Served over https, directly or behind a proxy that says so.

    Trusting `X-Forwarded-Proto` here can only add the Secure flag, never remove it.
    """
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=is_https(request))


def _sign(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def session_csrf(secret: str, session_token: str) -> str:
    return _sign(secret, "dashboard-csrf", session_token)


def sign_in_csrf(secret: str, cookie_value: str) -> str:
    return _sign(secret, "dashboard-sign-in", cookie_value)


def new_sign_in_nonce() -> str:
    return secrets.token_urlsafe(24)


def same_token(expected: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(expected, presented)


def check_origin(request: Request) -> None:
    """Refuse a POST that a page of another site sent (browsers always name the origin).

    The page's own host is the `Host` header, or `X-Forwarded-Host` behind a proxy that
    rewrites `Host`. The CSRF token is the protection; this check is a second one.
    """
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return
    hosts = {
        request.headers.get("host", "").lower(),
        request.headers.get("x-forwarded-host", "").split(",")[0].strip().lower(),
    }
    if origin.split("://", 1)[-1].lower() not in hosts - {""}:
        raise BadForm("This form was sent from another site.")


async def read_form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body as a dict (the first value of each name)."""
    check_origin(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise BadForm("Send the form as application/x-www-form-urlencoded.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise BadForm("The form is too large.")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise BadForm("The form could not be read.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form
