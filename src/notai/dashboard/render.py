"""Rendering pages with Jinja2, and the one place that turns a failure into a page.

Page handlers raise; `page` renders what they raise: a missing session sends the browser to
the sign-in form, a bad value or form is a 400 page saying what to change, a missing thing
is a 404 page, a database that does not answer is a 503 page, anything else is logged and
is a 500 page. No stack trace ever reaches the browser.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
import msgspec
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from notai import __version__
from notai.api.errors import ApiError
from notai.dashboard.security import PAGE_HEADERS, BadForm
from notai.dashboard.viewer import SignInRequired, Viewer
from notai.store.database import DatabaseUnavailable

logger = logging.getLogger("notai.dashboard")

TEMPLATES = Path(__file__).parent / "templates"
PREFIX = "/dashboard"
PageHandler = Callable[[Request], Awaitable[Response]]


class NotFoundPage(Exception):
    """The page names something this integration does not have."""


def _when(iso: str) -> str:
    """`2026-11-27T15:41:31.123Z` as `2026-11-27 15:41 UTC`."""
    return f"{iso[:10]} {iso[11:16]} UTC" if len(iso) >= 16 else iso


def _when_ms(ms: int | None) -> str:
    if ms is None:
        return "never"
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _duration(ms: float) -> str:
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    return f"{minutes // 60} h {minutes % 60} min"


def _inline_code(text: str) -> Markup:
    """Plain text with `backticks` shown as code (for the detector's own sentences)."""
    parts = str(escape(text)).split("`")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))  # noqa: S704 (every part escaped above)


def _query(request: Request, **changes: object) -> str:
    """The current query string with some values changed (None removes one)."""
    values = dict(request.query_params)
    for name, value in changes.items():
        if value is None or value == "":
            values.pop(name, None)
        else:
            values[name] = str(value)
    return "?" + urlencode(values) if values else "?"


_encode_json = msgspec.json.Encoder().encode


def json_island(value: object) -> Markup:
    """JSON for a `<script type="application/json">`: the browser reads it raw, so it is not
    HTML-escaped; `<`, `>` and `&` become JSON escapes so that no text can close the tag."""
    text = _encode_json(value).decode()
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 (no `<` is left to open or close a tag)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=_when, when_ms=_when_ms, duration=_duration, code=_inline_code, path=quote
    )
    env.globals.update(prefix=PREFIX, version=__version__, query=_query, zip=zip)
    return env


ENVIRONMENT = _environment()


def render(
    request: Request,
    template: str,
    viewer: Viewer | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    html = ENVIRONMENT.get_template(template).render(request=request, viewer=viewer, **context)
    headers = dict(PAGE_HEADERS)
    # Pages of one integration's data, and forms with tokens: never kept in a shared cache.
    headers["Cache-Control"] = "no-store"
    return HTMLResponse(html, status_code=status, headers=headers)


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, title=title, message=message)


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    wanted = f"?{urlencode({'next': target})}" if request.method == "GET" else ""
    return RedirectResponse(f"{PREFIX}/sign-in{wanted}", status_code=303)


def page(handler: PageHandler) -> PageHandler:
    """Wrap a page handler so that whatever it raises becomes a page, never a trace."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except SignInRequired:
            return sign_in_redirect(request)
        except BadForm as exc:
            return error_page(request, 400, "The form was refused", str(exc))
        except ApiError as exc:
            return error_page(request, exc.status, "That cannot be shown", exc.message)
        except NotFoundPage as exc:
            return error_page(request, 404, "Not found", str(exc))
        except DatabaseUnavailable:
            logger.warning("database unavailable on %s", request.url.path)
            return error_page(
                request, 503, "Try again shortly", "The database does not answer right now."
            )
        except Exception:
            logger.exception("unhandled error on %s", request.url.path)
            return error_page(
                request, 500, "Something went wrong", "The error was logged; try again."
            )

    return wrapped


async def not_found(request: Request) -> Response:
    """Any other dashboard or docs address."""
    return error_page(request, 404, "Not found", f"There is no page at {request.url.path}.")
