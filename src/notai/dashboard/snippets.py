"""The pixel's tag for an integration, and where each LMS takes it (docs/pixel.md)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from notai.dashboard.security import is_https


@dataclass(frozen=True)
class Install:
    lms: str
    slug: str
    code: str
    code_label: str
    steps: tuple[str, ...]


def server_base(request: Request) -> str:
    """This server as the LMS page reaches it (https when a proxy says the page was)."""
    scheme = "https" if is_https(request) else request.url.scheme
    return f"{scheme}://{request.url.netloc}"


def script_tag(base: str, integration_id: str, region: str) -> str:
    return (
        f'<script src="{base}/api.js" data-key="{integration_id}"'
        f' data-region="{region}" async></script>'
    )


def canvas_file(base: str, integration_id: str, region: str) -> str:
    """Canvas themes take a JavaScript file, not HTML: this file adds the same tag."""
    return (
        "(function () {\n"
        "  var s = document.createElement('script');\n"
        f"  s.src = '{base}/api.js';\n"
        "  s.async = true;\n"
        f"  s.dataset.key = '{integration_id}';\n"
        f"  s.dataset.region = '{region}';\n"
        "  document.head.appendChild(s);\n"
        "})();\n"
    )


def installs(base: str, integration_id: str, region: str) -> list[Install]:
    tag = script_tag(base, integration_id, region)
    canvas = canvas_file(base, integration_id, region)
    head = "the script tag"
    return [
        Install(
            "Canvas",
            "canvas",
            canvas,
            "notai-pixel.js",
            (
                "Save the code below as a file named notai-pixel.js.",
                "In Canvas: Admin, then Themes, then Open in Theme Editor.",
                "Open the Upload tab; under JavaScript file, choose notai-pixel.js.",
                "Preview, then Save and Apply the theme.",
            ),
        ),
        Install(
            "Moodle",
            "moodle",
            tag,
            head,
            (
                "Site administration, then Appearance, then Additional HTML.",
                'Paste the tag into "Within HEAD".',
                "Save changes; purge caches if pages do not show it at once.",
            ),
        ),
        Install(
            "Blackboard Learn",
            "blackboard",
            tag,
            head,
            (
                "Open the place your version takes custom code on every page: the theme's"
                " or branding's custom JavaScript, or a building block that injects HTML.",
                "Paste the tag there and save.",
                "Original course pages carry no user id: call notai('identify', ...) from"
                " the page to name the user (see the pixel documentation).",
            ),
        ),
        Install(
            "D2L Brightspace",
            "d2l",
            tag,
            head,
            (
                "Open the organisation's custom code option (a theme's or branding's custom"
                " HTML or JavaScript, or an app that injects it on every page).",
                "Paste the tag there and publish.",
            ),
        ),
        Install(
            "Schoology",
            "schoology",
            tag,
            head,
            (
                "Open the option for custom JavaScript or HTML on every page (a theme's"
                " custom code, or an app that injects it).",
                "Paste the tag there and save.",
            ),
        ),
        Install(
            "Sakai",
            "sakai",
            tag,
            head,
            (
                "Add the tag to the skin's portal-head include (or the property that adds"
                " to every portal page's head).",
                "Restart or reload the portal so pages pick it up.",
            ),
        ),
    ]
