"""Which LMS and course a page URL belongs to, for the LMSs we support.

The pixel reads the course from the page where it can; this is the server's fallback from
the URL alone, so that sessions of pages that named no course still count for one.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

_PATH_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("canvas", re.compile(r"^/courses/(\d+)(?:/|$)")),
    ("blackboard", re.compile(r"^/ultra/courses/(_\d+_\d+)(?:/|$)")),
    ("d2l", re.compile(r"^/d2l/(?:home|le/content|lms/[a-z]+/[a-z_]+|le/[a-z]+)/(\d+)(?:/|$)")),
    ("schoology", re.compile(r"^/course/(\d+)(?:/|$)")),
    ("sakai", re.compile(r"^/portal/site/([A-Za-z0-9_.~-]+)(?:/|$)")),
)
_QUERY_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("moodle", re.compile(r"^/course/view\.php$"), "id"),
    ("blackboard", re.compile(r"^/webapps/blackboard/"), "course_id"),
    ("d2l", re.compile(r"^/d2l/"), "ou"),
)


def course_from_url(url: str) -> tuple[str, str] | None:
    """(provider, course id) when the URL names a course of a supported LMS."""
    parts = urlsplit(url)
    for provider, pattern in _PATH_RULES:
        if match := pattern.match(parts.path):
            return provider, match.group(1)
    query = parse_qs(parts.query)
    for provider, pattern, name in _QUERY_RULES:
        if pattern.match(parts.path) and query.get(name):
            return provider, query[name][0]
    return None
