"""Running the bot classes against the served quiz, a few browsers at a time.

Each worker process holds its own Playwright and one browser per set-up; the collector
(`notai serve`) and the quiz site run in the bench's own process and subprocess. A session's
verdict is the one the collector stored, and BotD's is what BotD reported from the page.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.detection.bots import BOT_CLASSES, Actor, BotClass, Setup, launch, new_context
from bench.detection.ingest import Verdict
from bench.detection.site import Collector, QuizSite, ScoredSession, wait_until

X11_SOCKETS = Path("/tmp/.X11-unix")  # noqa: S108 (where every X server puts its socket)
_worker: dict[str, Any] = {}


def _browser(setup: Setup) -> Any:
    from playwright.sync_api import sync_playwright

    if "driver" not in _worker:
        _worker["driver"] = sync_playwright().start()
    browsers = _worker.setdefault("browsers", {})
    if setup not in browsers:
        browsers[setup] = launch(_worker["driver"], setup)
    return browsers[setup]


def run_one(bot_name: str, index: int, url: str, seed: int) -> str:
    """Drive one session of `bot_name` on the page at `url`; returns an error or ''."""
    bot = next(b for b in BOT_CLASSES if b.name == bot_name)
    context = new_context(_browser(bot.setup), bot.setup)
    try:
        if bot.clipboard:
            context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("() => window.notai && window.notai.v === 1")
        page.wait_for_timeout(1500)  # the pixel's init goes out when the page is idle
        bot.drive(Actor(page, random.Random(f"{seed}-{bot_name}-{index}")))
        page.wait_for_timeout(400)
        page.close(run_before_unload=True)
        return ""
    except Exception as exc:  # a failed drive is reported, not fatal to the bench
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    finally:
        context.close()


def _free_display() -> str:
    """A display number no X server on this machine holds (a taken one makes Xvfb exit)."""
    for number in range(97, 197):
        if not (X11_SOCKETS / f"X{number}").exists():
            return f":{number}"
    raise RuntimeError("no free X display number between :97 and :196")


@contextmanager
def virtual_display() -> Iterator[bool]:
    """Xvfb for the headed set-ups, when it is installed."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        yield False
        return
    display = _free_display()
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [xvfb, display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    time.sleep(0.5)
    try:
        yield process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=10)
        if previous is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = previous


def run_bots(
    classes: Sequence[BotClass], per_class: int, workers: int, seed: int
) -> tuple[list[Verdict], dict[str, list[str]]]:
    """Verdicts of `per_class` sessions of each class, and each class's driver errors."""
    errors: dict[str, list[str]] = {}
    with virtual_display() as headed, tempfile.TemporaryDirectory(prefix="notai-bots-") as tmp:
        chosen = [c for c in classes if c.setup != "headed" or headed]
        for skipped in (c for c in classes if c not in chosen):
            # Reported, so that a class left out never reads as a class that passed.
            errors[skipped.name] = ["not run: Xvfb is not installed or did not start"]
        collector = Collector(database=Path(tmp) / "bots.db")
        collector.start()
        try:
            with QuizSite(collector) as site:
                jobs = [(c.name, i, f"{c.name}-{i}") for c in chosen for i in range(per_class)]
                results = _drive_all(jobs, site, workers, seed)
                verdicts = [_verdict(collector, site, run, name) for name, _, run in jobs]
        finally:
            collector.stop()
    for (name, _, _), error, verdict in zip(jobs, results, verdicts, strict=True):
        if error:
            errors.setdefault(name, []).append(error)
        if verdict is None:
            errors.setdefault(name, []).append("the collector stored no session")
    return [v for v in verdicts if v is not None], errors


def _drive_all(
    jobs: list[tuple[str, int, str]], site: QuizSite, workers: int, seed: int
) -> list[str]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(run_one, name, index, site.url(run, str(1000 + n)), seed)
            for n, (name, index, run) in enumerate(jobs)
        ]
        return [future.result() for future in futures]


def _verdict(collector: Collector, site: QuizSite, run: str, name: str) -> Verdict | None:
    def closed() -> ScoredSession | None:
        found = collector.session_for(run)
        return found if found is not None and found.status == "closed" else None

    try:
        session: ScoredSession | None = wait_until(closed, timeout=15)
    except TimeoutError:
        session = collector.session_for(run)
    if session is None:
        return None
    return Verdict(
        name=run,
        source=name,
        bot_score=session.bot_score,
        flags=session.flags,
        evidence=session.evidence,
        botd=_botd(site.verdicts.get(run)),
    )


def _botd(verdict: dict[str, Any] | None) -> str:
    if verdict is None:
        return ""
    if "error" in verdict:
        return "error"
    return f"bot:{verdict.get('botKind', '')}" if verdict.get("bot") else "human"
