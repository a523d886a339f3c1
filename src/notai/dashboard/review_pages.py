"""Pages for reviewing what was detected: users, sessions, one session, analytics."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from notai.api import params
from notai.dashboard import charts, data
from notai.dashboard.explain import evidence_rows
from notai.dashboard.render import PREFIX, NotFoundPage, json_island, page, render
from notai.dashboard.review import flag_reviews, key_gaps, read_recording, replay_data
from notai.dashboard.viewer import current_viewer
from notai.detect.signals import TYPING_CADENCE


async def home(request: Request) -> Response:
    return RedirectResponse(f"{PREFIX}/users", status_code=303)


@page
async def users_page(request: Request) -> Response:
    """LMS users, newest first, with risk level, band counts and 14-day sparklines."""
    viewer = await current_viewer(request)
    users, pagination, search = await data.user_page(request, viewer.principal)
    return render(
        request,
        "users.html",
        viewer,
        users=users,
        pagination=pagination,
        search=search or "",
        sparkline=charts.sparkline_points,
    )


def _path_id(request: Request, name: str) -> str:
    return params.path_value(request, name)


@page
async def user_sessions_page(request: Request) -> Response:
    """Every session of one LMS user, newest first."""
    viewer = await current_viewer(request)
    user_id = _path_id(request, "user_id")
    sessions, pagination = await data.user_sessions(request, viewer.principal, user_id)
    return render(
        request,
        "sessions.html",
        viewer,
        sessions=sessions,
        pagination=pagination,
        user_id=user_id,
        filters=None,
        band=charts.score_band,
    )


@page
async def sessions_page(request: Request) -> Response:
    """Sessions newest first, filtered as GET /v1/sessions filters them."""
    viewer = await current_viewer(request)
    filters = data.SessionFilters.parse(request)
    sessions, pagination = await data.sessions(request, viewer.principal, filters)
    return render(
        request,
        "sessions.html",
        viewer,
        sessions=sessions,
        pagination=pagination,
        user_id=None,
        filters=request.query_params,
        band=charts.score_band,
    )


@page
async def session_page(request: Request) -> Response:
    """One session: timeline with flag marks, flags explained, pages, replay, typing."""
    viewer = await current_viewer(request)
    session_id = _path_id(request, "session_id")
    review = await data.session_review(request, viewer.principal, session_id)
    if review is None:
        raise NotFoundPage(f"This integration has no session {session_id!r} in its history.")
    duration = review.end_ms - review.start_ms
    flags = flag_reviews(
        review.session.detectionFlags, review.evidence, review.start_ms, review.end_ms
    )
    recording = read_recording(review.messages, review.start_ms)
    gaps = key_gaps(recording)
    timeline = review.details.timeline
    return render(
        request,
        "session.html",
        viewer,
        session=review.session,
        details=review.details,
        flags=flags,
        evidence_rows=lambda f: evidence_rows(f.evidence, review.start_ms),
        band=charts.score_band,
        activity=charts.column_bars([(b.timestamp, b.eventCount) for b in timeline], height=60),
        timeline=timeline,
        replay=json_island(replay_data(recording, review.start_ms, duration, flags)),
        has_pointer=bool(recording.moves or recording.clicks),
        cadence=charts.cadence_dots(
            [(g.t_ms, g.gap_ms, g.key_class) for g in gaps], duration, TYPING_CADENCE.max_gap_ms
        ),
        fast_ms=TYPING_CADENCE.max_gap_ms,
        fast_y=charts.gap_y(TYPING_CADENCE.max_gap_ms),
        gap_y=charts.gap_y,
        keys=len(gaps),
    )


@page
async def analytics_page(request: Request) -> Response:
    """Analytics of GET /v1/analytics, for its periods and buckets, as charts and tables."""
    viewer = await current_viewer(request)
    body = await data.analytics(request, viewer.principal)
    series = body.timeSeries
    sessions = charts.column_bars([(p.timestamp, p.sessionCount) for p in series])
    detection = body.botDetection
    return render(
        request,
        "analytics.html",
        viewer,
        analytics=body,
        sessions=sessions,
        bots=charts.stacked_over(sessions, [p.botCount for p in series]),
        events=charts.column_bars([(p.timestamp, p.eventCount) for p in series], height=100),
        buckets=charts.row_bars(
            [
                ("High-confidence bots (0.9 and above)", detection.highConfidenceBots),
                ("Medium-confidence bots (0.7 to 0.9)", detection.mediumConfidenceBots),
                ("Low-confidence (0.4 to 0.7)", detection.lowConfidenceBots),
                ("Likely people (below 0.4)", detection.likelyHumans),
            ]
        ),
        devices=charts.row_bars(
            [
                ("Desktop", body.deviceBreakdown.desktop),
                ("Mobile", body.deviceBreakdown.mobile),
                ("Tablet", body.deviceBreakdown.tablet),
            ]
        ),
        browsers=charts.row_bars(
            sorted(body.deviceBreakdown.browserCounts.items(), key=lambda kv: -kv[1])[:8]
        ),
    )
