from __future__ import annotations

import pytest

from notai.collect.lms_urls import course_from_url

CASES = [
    ("https://canvas.example.edu/courses/101/quizzes/7/take", ("canvas", "101")),
    ("https://canvas.example.edu/courses/101", ("canvas", "101")),
    ("https://moodle.example.edu/course/view.php?id=42", ("moodle", "42")),
    ("https://bb.example.edu/ultra/courses/_1234_1/outline", ("blackboard", "_1234_1")),
    (
        "https://bb.example.edu/webapps/blackboard/content/listContent.jsp?course_id=_77_1",
        ("blackboard", "_77_1"),
    ),
    ("https://school.brightspace.com/d2l/home/6606", ("d2l", "6606")),
    ("https://school.brightspace.com/d2l/le/content/6606/Home", ("d2l", "6606")),
    (
        "https://school.brightspace.com/d2l/lms/quizzing/user/quiz_summary.d2l?ou=6606",
        ("d2l", "6606"),
    ),
    ("https://app.schoology.com/course/5566/materials", ("schoology", "5566")),
    ("https://sakai.example.edu/portal/site/BIO-101-F26/tool/abc", ("sakai", "BIO-101-F26")),
    ("https://canvas.example.edu/profile", None),
    ("https://example.com/courses/abc", None),
    ("not a url", None),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_course_from_url(url: str, expected: tuple[str, str] | None) -> None:
    assert course_from_url(url) == expected
