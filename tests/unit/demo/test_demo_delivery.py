"""The demo's sessions are valid pixel traffic: batches the collector accepts, in order."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from notai.collect.protocol import (
    MAX_BATCH_BYTES,
    MAX_MESSAGES_PER_BATCH,
    decode_batch,
    encode_batch,
)
from notai.demo import DemoSession, generate_demo
from notai.demo.pixel import FLUSH_INTERVAL_MS, flush_batches
from notai.events import Close, Focus, Heartbeat, Init, Input, Message
from unit.demo.demo_samples import DAY_MS, INTEGRATION, NOW_MS, default_demo, messages

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def small_demo(seed: int) -> list[DemoSession]:
    return list(generate_demo(INTEGRATION, users=8, sessions=60, seed=seed, now_ms=NOW_MS))


def test_the_same_seed_gives_the_same_sessions() -> None:
    assert small_demo(seed=5) == small_demo(seed=5)


def test_another_seed_gives_other_sessions() -> None:
    first, second = small_demo(seed=5), small_demo(seed=6)
    assert [s.received_at_ms for s in first] != [s.received_at_ms for s in second]


def test_every_batch_survives_the_wire_unchanged() -> None:
    for session in default_demo():
        for _, batch in session.batches:
            body = encode_batch(batch)
            assert len(body) <= MAX_BATCH_BYTES
            assert decode_batch(body) == batch


def test_batches_name_one_integration_and_one_session() -> None:
    session_ids = set()
    for session in default_demo():
        ids = {batch.session for _, batch in session.batches}
        assert len(ids) == 1
        (session_id,) = ids
        assert SESSION_ID.match(session_id)
        assert session_id not in session_ids
        session_ids.add(session_id)
        assert all(batch.integration == INTEGRATION for _, batch in session.batches)
        assert all(1 <= len(batch.events) <= MAX_MESSAGES_PER_BATCH for _, batch in session.batches)


def test_a_session_is_several_batches_like_a_pixel_flushing() -> None:
    batch_counts = sorted(len(session.batches) for session in default_demo())
    assert batch_counts[0] >= 2  # at least the init, announced at once, and the close
    assert batch_counts[len(batch_counts) // 2] >= 5


def test_seq_counts_up_from_zero_in_delivery_order() -> None:
    for session in default_demo():
        seqs = [message.seq for message in messages(session)]
        assert seqs == list(range(len(seqs)))


def test_a_session_opens_with_init_and_ends_with_close() -> None:
    for session in default_demo():
        all_messages = list(messages(session))
        assert isinstance(all_messages[0], Init)
        assert isinstance(session.batches[-1][1].events[-1], Close)
        assert sum(isinstance(m, Init) for m in all_messages) == 1
        assert sum(isinstance(m, Close) for m in all_messages) == 1


def test_sessions_arrive_oldest_first_inside_the_window() -> None:
    starts = [session.received_at_ms for session in default_demo()]
    assert starts == sorted(starts)
    for session in default_demo():
        times = [at for at, _ in session.batches]
        assert times[0] == session.received_at_ms
        assert all(earlier < later for earlier, later in itertools.pairwise(times))
        assert times[0] >= NOW_MS - 28 * DAY_MS
        assert times[-1] <= NOW_MS


def test_messages_arrive_within_seconds_of_happening() -> None:
    # A message waits at most one flush interval (plus the key or pointer batch it is in),
    # and the device clock is at most a second and a half off the server's.
    for session in default_demo():
        for received_at, batch in session.batches:
            for message in batch.events:
                assert -2_000 <= received_at - message.t <= FLUSH_INTERVAL_MS + 5_000


def test_a_long_page_view_is_split_into_batches_the_collector_accepts() -> None:
    queued: list[tuple[int, Message]] = [(0, Init(seq=0, t=NOW_MS, url="https://x.test/"))]
    queued += [
        (n, Input(seq=0, t=NOW_MS + n, field="f", inputType="insertText", delta=1, length=n))
        for n in range(1, 2_501)
    ]
    batches = flush_batches(queued)
    assert [len(events) for _, events in batches] == [1, 1_000, 1_000, 500]
    assert [m.seq for _, events in batches for m in events] == list(range(2_501))


def test_heartbeats_keep_an_idle_page_alive() -> None:
    queued: list[tuple[int, Message]] = [
        (0, Init(seq=0, t=NOW_MS, url="https://x.test/")),
        (40_000, Close(seq=0, t=NOW_MS + 40_000)),
    ]
    beats = [at for at, events in flush_batches(queued) for m in events if isinstance(m, Heartbeat)]
    assert beats == [15_000, 30_000]


def test_a_hidden_page_beats_once_a_minute() -> None:
    queued: list[tuple[int, Message]] = [
        (0, Init(seq=0, t=NOW_MS, url="https://x.test/")),
        (1_000, Focus(seq=0, t=NOW_MS + 1_000, kind="hidden")),
        (130_000, Close(seq=0, t=NOW_MS + 130_000)),
    ]
    beats = [m for _, events in flush_batches(queued) for m in events if isinstance(m, Heartbeat)]
    assert len(beats) == 2


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    users=st.integers(1, 6),
    sessions=st.integers(0, 14),
    days=st.integers(1, 10),
    bot_share=st.floats(0, 1),
)
def test_any_small_demo_is_valid_traffic(
    seed: int, users: int, sessions: int, days: int, bot_share: float
) -> None:
    demo = list(
        generate_demo(
            INTEGRATION,
            users=users,
            sessions=sessions,
            seed=seed,
            now_ms=NOW_MS,
            days=days,
            bot_share=bot_share,
        )
    )
    assert len(demo) == sessions
    assert sum(session.is_bot for session in demo) == round(sessions * bot_share)
    for session in demo:
        times = [at for at, _ in session.batches]
        assert times[0] >= NOW_MS - days * DAY_MS
        assert times[-1] <= NOW_MS
        assert [m.seq for m in messages(session)] == list(range(sum(1 for _ in messages(session))))
        assert isinstance(session.batches[-1][1].events[-1], Close)
        for _, batch in session.batches:
            assert decode_batch(encode_batch(batch)) == batch
