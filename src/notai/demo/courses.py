"""The demo school's Canvas courses and the pages a session can be on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CANVAS_URL = "https://canvas.example.edu"

PageKind = Literal["quiz", "assignment", "discussion", "modules"]


@dataclass(frozen=True)
class Course:
    """A course with a weekly quiz due on `quiz_weekday` (0 = Monday) at 23:59 campus time."""

    course_id: int
    code: str
    name: str
    quiz_weekday: int
    first_quiz_id: int
    assignments: tuple[tuple[int, str], ...]
    discussions: tuple[tuple[int, str], ...]

    @property
    def url(self) -> str:
        return f"{CANVAS_URL}/courses/{self.course_id}"

    @property
    def title(self) -> str:
        return f"{self.code}: {self.name}"


@dataclass(frozen=True)
class CoursePage:
    """One Canvas page: what the `init` message names and what the session does there."""

    kind: PageKind
    course: Course
    url: str
    title: str


COURSES: tuple[Course, ...] = (
    Course(
        48213,
        "BIO 101",
        "Introduction to Biology",
        2,
        301_100,
        ((712_004, "Lab Report: Osmosis"), (712_011, "Cell Diagram Reflection")),
        ((95_010, "Is a virus alive?"), (95_014, "Ethics of gene editing")),
    ),
    Course(
        48227,
        "HIST 210",
        "Modern World History",
        4,
        301_200,
        ((712_102, "Primary Source Analysis"), (712_115, "Essay: The Treaty of Versailles")),
        ((95_030, "Causes of the First World War"), (95_033, "Decolonisation debates")),
    ),
    Course(
        48305,
        "MATH 152",
        "Calculus II",
        1,
        301_300,
        ((712_201, "Problem Set: Integration by Parts"), (712_208, "Series Convergence Notes")),
        ((95_051, "Explain a tricky integral"),),
    ),
    Course(
        48412,
        "ENGL 102",
        "Academic Writing",
        3,
        301_400,
        ((712_305, "Annotated Bibliography"), (712_309, "Argumentative Essay Draft")),
        ((95_070, "Peer review: thesis statements"), (95_072, "What makes a source credible?")),
    ),
    Course(
        48519,
        "CS 110",
        "Programming Fundamentals",
        0,
        301_500,
        ((712_402, "Reflection: Debugging Loops"), (712_410, "Pseudocode for a Vending Machine")),
        ((95_090, "Tabs or spaces?"), (95_093, "Your first bug")),
    ),
)


def quiz_page(course: Course, week: int) -> CoursePage:
    """The take page of the quiz due in `week` of the term."""
    quiz_id = course.first_quiz_id + week
    return CoursePage(
        "quiz",
        course,
        f"{course.url}/quizzes/{quiz_id}/take",
        f"Week {week} Quiz: {course.code}",
    )


def assignment_page(course: Course, index: int) -> CoursePage:
    assignment_id, name = course.assignments[index % len(course.assignments)]
    return CoursePage(
        "assignment", course, f"{course.url}/assignments/{assignment_id}", f"{name}: {course.code}"
    )


def discussion_page(course: Course, index: int) -> CoursePage:
    topic_id, name = course.discussions[index % len(course.discussions)]
    return CoursePage(
        "discussion",
        course,
        f"{course.url}/discussion_topics/{topic_id}",
        f"Topic: {name}: {course.code}",
    )


def modules_page(course: Course) -> CoursePage:
    return CoursePage("modules", course, f"{course.url}/modules", f"Course Modules: {course.title}")
