"""Refreshing the derived tables while other refreshes run: no deadlock, and no figure read too early."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any

from tests.stats.test_fast_path import BASE, TARGETS, build
from volunteers import db
from volunteers.stats.counts import counts, reference_counts
from volunteers.stats.definitions import SOURCES
from volunteers.stats.figures import parameters
from volunteers.stats.refresh import refresh
from volunteers.stats.schemas import FigureQuery

DISTRICT = TARGETS[0]
AS_OF = BASE + timedelta(days=60)
QUERY = FigureQuery(area="D1", as_of=AS_OF, window_days=365, min_hours=0, sources=list(SOURCES))


async def serve(volunteer: int, place: int, day: int, minutes: int) -> None:
    """An approved record of `minutes` for `volunteer` at an activity of area `place`, committed."""
    served = BASE + timedelta(days=day)
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO service_record (volunteer, activity, area, service_date, source, status, started_at,"
            " ended_at, seconds, minutes)"
            " SELECT $1, id, area, $3, 'manual', 'approved', $4, $4, $5 * 60, $5 FROM activity WHERE area = $2",
            volunteer,
            place,
            served,
            datetime.combine(served, time(9), tzinfo=UTC),
            minutes,
        )


async def district_figures() -> dict[str, int]:
    """The district's record-based figures from the derived tables."""
    p = parameters(QUERY)
    fast = (await counts([DISTRICT], p))[(DISTRICT.id, False)]
    return {k: int(v) for k, v in fast.items() if k in ("registered", "active", "minutes", "participants")}


async def recount() -> dict[str, int]:
    """The same figures counted from the records themselves."""
    return {k: int(v) for k, v in (await reference_counts(DISTRICT, parameters(QUERY))).items()}


async def test_a_refresh_waits_for_one_still_in_progress(app: Any) -> None:
    """Figures read after a refresh include every write committed before it, even one another refresh holds."""
    first, second = await build([(3, 0, None), (6, 0, None)], [])
    await refresh()
    await serve(first, 3, 1, 60)
    pool = db.engine().pool
    assert pool is not None
    async with pool.acquire() as other:
        slow = other.transaction()
        await slow.start()
        assert await other.fetchval("SELECT stats_refresh()") == 1  # claims `first`, not yet committed
        await serve(second, 6, 2, 30)

        async def read() -> dict[str, int]:
            await refresh()
            return await district_figures()

        reading = asyncio.ensure_future(read())
        await asyncio.sleep(0.5)
        await slow.commit()
        figures = await reading
    assert figures["active"] == 2 and figures["minutes"] == 90
    assert figures == await recount()


async def test_a_write_in_progress_keeps_its_volunteer_marked(app: Any) -> None:
    """A refresh between a write and its commit must not take the volunteer's mark and lose the write."""
    (volunteer,) = await build([(3, 0, None)], [])
    await serve(volunteer, 3, 1, 60)  # marked, not yet refreshed
    pool = db.engine().pool
    assert pool is not None
    async with pool.acquire() as writer:
        writing = writer.transaction()
        await writing.start()
        await writer.execute(
            "INSERT INTO service_record (volunteer, activity, area, service_date, source, status, started_at,"
            " ended_at, seconds, minutes) SELECT $1, id, area, $2, 'manual', 'approved', now(), now(), 1800, 30"
            " FROM activity WHERE area = 3",
            volunteer,
            BASE + timedelta(days=2),
        )
        await refresh()  # while the write is uncommitted
        await writing.commit()
    await refresh()
    figures = await district_figures()
    assert figures["minutes"] == 90
    assert figures == await recount()


async def test_concurrent_refreshes_across_areas_do_not_deadlock(app: Any) -> None:
    """Many writers and readers at once, in every area, as on a busy day: every refresh succeeds."""
    people = await build([(place, 0, None) for place in (3, 4, 6) for _ in range(4)], [])
    await refresh()

    async def busy(n: int) -> None:
        for day in range(1, 6):
            await serve(people[(n + day) % len(people)], (3, 4, 6)[(n * day) % 3], n * 5 + day, 15)
            await refresh()

    await asyncio.gather(*(busy(n) for n in range(8)))
    figures = await district_figures()
    assert figures == await recount()
    assert figures["minutes"] == 8 * 5 * 15


async def test_a_large_refresh_commits_batch_by_batch(app: Any, monkeypatch: Any) -> None:
    """After a bulk write, the refresh goes a batch per transaction until nothing is left."""
    monkeypatch.setattr("volunteers.stats.refresh.REFRESH_BATCH", 4)
    people = await build([((3, 4, 6)[n % 3], 0, None) for n in range(10)], [])
    for n, volunteer in enumerate(people):
        await serve(volunteer, (3, 4, 6)[n % 3], 1 + n, 10 + n)
    assert await refresh() == 10
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM stats_dirty") == 0
    figures = await district_figures()
    assert figures == await recount()
    assert figures["minutes"] == sum(10 + n for n in range(10))
