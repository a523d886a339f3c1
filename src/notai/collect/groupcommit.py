"""Group commit: the batches that arrive while one commit runs are stored by the next, together.

A durable commit costs a disk flush (SQLite `synchronous=FULL`, a PostgreSQL WAL flush), and
one flush per WebSocket frame would cap the collector at a few hundred frames a second. The
first frame to arrive while no commit runs starts a drain; every frame that arrives meanwhile
waits in the queue, and the drain stores the whole queue in one transaction. Each frame is
still acknowledged only after the transaction that holds it has committed.

Batches go through the same `ingest_batch` as the HTTP endpoint: it runs against
`_GroupTransaction`, a view of the database whose every transaction is the group's, and
adds its counters to the group's `Tally`, written once per group before the commit. When a
group fails (one batch names an integration that is gone, or two writers deadlock), its
transaction is rolled back and each of its batches is stored alone, so one bad batch never
takes the others down with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from notai.collect.ingest import IngestResult, ingest_batch
from notai.collect.protocol import Batch
from notai.collect.tally import Tally
from notai.settings import Settings
from notai.store.database import Connection, Database, DatabaseUnavailable

logger = logging.getLogger("notai.collect")

MAX_GROUP_BATCHES = 256
MAX_GROUP_MESSAGES = 25_000
"""Bounds one transaction's work, so that a commit (and its acknowledgements) comes soon."""

_Pending = tuple[Batch, int, "asyncio.Future[IngestResult]"]


class GroupCommit:
    """Stores batches for one database, several per transaction."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self._queue: list[_Pending] = []
        self._drain: asyncio.Task[None] | None = None
        self.commits = 0
        """Transactions committed so far (for benchmarks and tests)."""

    async def ingest(self, batch: Batch, received_at_ms: int) -> IngestResult:
        """Store a batch; return once the transaction that holds it has committed."""
        done: asyncio.Future[IngestResult] = asyncio.get_running_loop().create_future()
        self._queue.append((batch, received_at_ms, done))
        if self._drain is None:
            # A task of its own: the drain must finish for everyone queued, even if the
            # connection that started it goes away.
            self._drain = asyncio.ensure_future(self._run())
        return await asyncio.shield(done)

    async def _run(self) -> None:
        try:
            while self._queue:
                await asyncio.sleep(0)  # let frames that are already readable join the group
                group = self._take()
                await self._store(group)
        finally:
            self._drain = None

    def _take(self) -> list[_Pending]:
        size, messages = 0, 0
        for batch, _, _ in self._queue:
            if size and (
                size >= MAX_GROUP_BATCHES or messages + len(batch.events) > MAX_GROUP_MESSAGES
            ):
                break
            size += 1
            messages += len(batch.events)
        group, self._queue = self._queue[:size], self._queue[size:]
        return group

    async def _store(self, group: list[_Pending]) -> None:
        try:
            results = await self._store_together(group)
        except DatabaseUnavailable as exc:
            _fail_all(group, exc)
            return
        except Exception:
            logger.info("a group of %d batches failed; storing each alone", len(group))
            await self._store_alone(group)
            return
        self.commits += 1
        for (_, _, done), result in zip(group, results, strict=True):
            if not done.done():
                done.set_result(result)

    async def _store_together(self, group: list[_Pending]) -> list[IngestResult]:
        # Sessions in one order in every group, so that two writers lock them in one order.
        order = sorted(
            range(len(group)), key=lambda i: (group[i][0].integration, group[i][0].session)
        )
        results: list[IngestResult | None] = [None] * len(group)
        tally = Tally()
        async with self._db.transaction() as conn:
            shared = _GroupTransaction(conn, self._db)
            for index in order:
                batch, received_at_ms, _ = group[index]
                results[index] = await ingest_batch(
                    shared, self._settings, batch, received_at_ms, tally
                )
            await tally.flush(conn)
        return [result for result in results if result is not None]

    async def _store_alone(self, group: list[_Pending]) -> None:
        for batch, received_at_ms, done in group:
            try:
                result = await ingest_batch(self._db, self._settings, batch, received_at_ms)
            except Exception as exc:
                if not done.done():
                    done.set_exception(exc)
                continue
            self.commits += 1
            if not done.done():
                done.set_result(result)


def _fail_all(group: list[_Pending], exc: BaseException) -> None:
    for _, _, done in group:
        if not done.done():
            done.set_exception(exc)


class _GroupTransaction:
    """A database whose every transaction (and connection) is one the group already holds."""

    def __init__(self, conn: Connection, db: Database) -> None:
        self._conn = conn
        self.dialect = db.dialect
        self.url = db.url

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        yield self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        yield self._conn

    async def ping(self) -> None:
        await self._conn.fetchval("SELECT 1")

    async def close(self) -> None:
        """The group's connection belongs to the real database, which closes it."""
