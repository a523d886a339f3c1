"""Where the collector's CPU goes per event, measured in process (no sockets, no server).

Feeds the frames of bench/collector.py's pixels (the same message mix) through frame decoding
and `GroupCommit` into a fresh database, each pixel's next frame once its previous one is
stored, and reports CPU microseconds per event: the whole path, then the parts timed alone
on the same frames (decoding, the detector's fold and verdict, payload encoding). Storage is
the rest. `--profile` prints the hottest functions of the whole path instead.

    PYTHONPATH=. .venv/bin/python bench/collector_profile.py --backend sqlite

CPU time on a shared machine moves by 10% or more from run to run, more than a change to
the detector's loops does. Instructions executed do not move: `--detector-runs N` only
scores the frames N times, and the difference between N=2 and N=0 under callgrind is the
detector's instruction count for twice the frames, the same on every run of the same build:

    PYTHONPATH=. valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        .venv/bin/python bench/collector_profile.py --pixels 40 --frames 10 --detector-runs 2
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import secrets
import time
from collections.abc import Callable, Sequence

import msgspec
from bench.collector import Load, database, pixel_frames

from notai import detect
from notai.clock import now_ms
from notai.collect import binary
from notai.collect.groupcommit import GroupCommit
from notai.collect.protocol import PROTOCOL_VERSION, Batch
from notai.events import Message
from notai.settings import Settings
from notai.store.database import open_database
from notai.store.migrate import migrate
from notai.tenancy import service


def cpu_us_per_event(work: Callable[[], object], events: int, repeat: int) -> float:
    """The least CPU time of `repeat` runs: other work on the machine only ever adds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best / events * 1e6


def decode_each(frames: Sequence[Sequence[bytes]]) -> None:
    for pixel in frames:
        for frame in pixel:
            binary.decode_client_frame(frame)


def decode_all(frames: Sequence[Sequence[bytes]]) -> list[list[binary.Events]]:
    decoded = []
    for pixel in frames:
        found = [binary.decode_client_frame(frame) for frame in pixel]
        decoded.append([f for f in found if isinstance(f, binary.Events)])
    return decoded


def score_all(decoded: Sequence[Sequence[binary.Events]]) -> None:
    """The detector's share of ingest: state decode, fold, verdict, state and JSON encode."""
    for pixel in decoded:
        stored = detect.encode_state(detect.new_state())
        for frame in pixel:
            state = detect.decode_state(stored)
            detect.fold(state, frame.messages)
            verdict = detect.assess(state)
            stored = detect.encode_state(state)
            msgspec.json.encode(list(verdict.flags))
            msgspec.json.encode(verdict.evidence)


def encode_all(decoded: Sequence[Sequence[binary.Events]]) -> None:
    encode = msgspec.msgpack.Encoder().encode
    for pixel in decoded:
        for frame in pixel:
            for message in frame.messages:
                encode(message)


async def store_all(url: str, frames: Sequence[Sequence[bytes]]) -> tuple[int, float]:
    """Decode and store every frame as the WebSocket endpoint does: (commits, CPU seconds)."""
    db = await open_database(url)
    try:
        integration = (await service.create_integration(db, "Profile U", "enterprise", "us")).id
        settings = Settings(database_url=url)
        group = GroupCommit(db, settings)
        started = time.process_time()
        await asyncio.gather(*(_pixel(group, integration, pixel) for pixel in frames))
        return group.commits, time.process_time() - started
    finally:
        await db.close()


async def _pixel(group: GroupCommit, integration: str, frames: Sequence[bytes]) -> None:
    session = f"prof{secrets.token_hex(8)}"
    for data in frames:
        frame = binary.decode_client_frame(data)
        assert isinstance(frame, binary.Events)
        messages: list[Message] = frame.messages
        batch = Batch(v=PROTOCOL_VERSION, integration=integration, session=session, events=messages)
        await group.ingest(batch, now_ms())


def whole_path(
    url: str, frames: Sequence[Sequence[bytes]], repeat: int, *, profile: bool
) -> tuple[float, int]:
    """The least CPU seconds of `repeat` runs (new sessions each time), and commits per run."""
    best, commits = float("inf"), 0
    for _ in range(repeat):
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        commits, cpu = asyncio.run(store_all(url, frames))
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        best = min(best, cpu)
    return best, commits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pixels", type=int, default=100)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each part (least wins)")
    parser.add_argument("--profile", action="store_true", help="print the hottest functions")
    parser.add_argument(
        "--detector-runs",
        type=int,
        metavar="N",
        help="only score the frames N times and stop (for instruction counts: see docstring)",
    )
    args = parser.parse_args()
    load = Load(connections=args.pixels, frames=args.frames, messages=50)
    frames = [pixel_frames(index, load) for index in range(load.connections)]
    decoded = decode_all(frames)
    if args.detector_runs is not None:
        for _ in range(args.detector_runs):
            score_all(decoded)
        return
    # The corpus is millions of objects that a server never holds; keep them out of the
    # collector's garbage-collection passes so that each part is charged only its own.
    gc.freeze()
    with database(args.backend) as url:
        migrate(url)
        cpu, commits = whole_path(url, frames, args.repeat, profile=args.profile)
    total = cpu / load.events * 1e6
    parts = {
        "decode": cpu_us_per_event(lambda: decode_each(frames), load.events, args.repeat),
        "detector": cpu_us_per_event(lambda: score_all(decoded), load.events, args.repeat),
        "payload encode": cpu_us_per_event(lambda: encode_all(decoded), load.events, args.repeat),
    }
    print(f"{load.events} events, {commits} commits, {args.backend}")
    print(f"whole path: {total:.1f} µs per event")
    for name, value in parts.items():
        print(f"  {name}: {value:.1f}")
    print(f"  storage and the rest: {total - sum(parts.values()):.1f}")


if __name__ == "__main__":
    main()
