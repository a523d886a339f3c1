"""The documentation site at `/docs`, rendered from the repository's own docs/*.md.

One source of truth: the pages are the Markdown files people read on the repository
(shipped with the package as links under `templates/docs/`), rendered with markdown-it.
A topic page may take only some `## ` sections of a file (Authentication is a section of
api.md). Links between the files become links between the pages; headings get the ids
GitHub gives them, so `api.md#pagination` still lands on its section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from notai.dashboard.render import error_page, render

SOURCES = Path(__file__).parent / "templates" / "docs"


@dataclass(frozen=True)
class DocPage:
    slug: str
    title: str
    source: str
    sections: tuple[str, ...] = ()
    """`## ` headings to take from the file, in this order; empty takes the whole file."""


DOC_PAGES: tuple[DocPage, ...] = (
    DocPage("getting-started", "Getting started", "getting-started.md"),
    DocPage("authentication", "Authentication", "api.md", ("Authentication",)),
    DocPage("pagination", "Pagination", "api.md", ("Pagination",)),
    DocPage("errors", "Errors and codes", "api.md", ("Errors",)),
    DocPage("rate-limits", "Rate limits and tiers", "api.md", ("Plans", "Rate limits")),
    DocPage("regions", "Regions", "configuration.md", ("Regions",)),
    DocPage("pixel", "The pixel and its attributes", "pixel.md"),
    DocPage("protocol", "The event protocol", "protocol.md"),
    DocPage(
        "privacy",
        "Privacy: what is and is not recorded",
        "pixel.md",
        ("What is recorded, and what is not",),
    ),
    DocPage("api", "API reference", "api.md"),
    DocPage("detection", "Detection and its flags", "detection.md"),
    DocPage("dashboard", "The dashboard", "dashboard.md"),
    DocPage("configuration", "Configuration", "configuration.md"),
)
_BY_SLUG = {page.slug: page for page in DOC_PAGES}
# Whole-file pages: where a link to `file.md` goes.
_PAGE_OF_FILE = {page.source: page.slug for page in DOC_PAGES if not page.sections}
_FENCE = re.compile(r"^(```|~~~)")


def heading_id(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    kept = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return kept.replace(" ", "-")


def take_sections(markdown: str, wanted: tuple[str, ...]) -> str:
    """The `## ` sections named in `wanted` (outside code fences), in that order."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    fenced = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            title = line[3:].strip()
            current = found.setdefault(title, []) if title in wanted else None
        elif not fenced and line.startswith("# "):
            current = None
        if current is not None:
            current.append(line)
    return "\n\n".join("\n".join(found.get(title, [])) for title in wanted)


def _link_target(href: str) -> str | None:
    """Where a link of the docs goes on the site; None for files the site does not have."""
    if href.startswith(("http://", "https://", "mailto:", "#", "/")):
        return href
    path, _, anchor = href.partition("#")
    slug = _PAGE_OF_FILE.get(path.removeprefix("./").removeprefix("docs/"))
    if slug is None:
        return None
    return f"/docs/{slug}" + (f"#{anchor}" if anchor else "")


def _rewrite(tokens: list[Token]) -> None:
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            token.attrSet("id", heading_id(inline.content))
        if token.children:
            _rewrite(token.children)
        if token.type == "link_open":
            target = _link_target(str(token.attrGet("href") or ""))
            if target is None:
                token.attrs.pop("href", None)
            else:
                token.attrSet("href", target)


def _parser() -> MarkdownIt:
    # CommonMark with tables; raw HTML in the sources is shown as text, never run.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


@cache
def rendered(slug: str) -> tuple[Markup, list[tuple[str, str]]]:
    """The page's HTML and its `## ` headings (id, text) for the page's own contents."""
    doc = _BY_SLUG[slug]
    text = (SOURCES / doc.source).read_text(encoding="utf-8")
    if doc.sections:
        text = f"# {doc.title}\n\n" + take_sections(text, doc.sections)
    parser = _parser()
    tokens = parser.parse(text)
    _rewrite(tokens)
    contents = [
        (heading_id(tokens[i + 1].content), tokens[i + 1].content)
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2"
    ]
    html = parser.renderer.render(tokens, parser.options, {})
    return Markup(html), contents  # noqa: S704 (our own docs, raw HTML disabled above)


async def docs_page(request: Request) -> Response:
    """A page of the documentation (no sign-in needed)."""
    slug = str(request.path_params.get("slug", "getting-started"))
    doc = _BY_SLUG.get(slug)
    if doc is None:
        return error_page(request, 404, "Not found", f"There is no documentation page {slug!r}.")
    html, contents = rendered(slug)
    return render(
        request, "docs.html", doc=doc, doc_pages=DOC_PAGES, content=html, contents=contents
    )
