"""Property: the precomputed fast path and the plain reference query give the same figures,
for random worlds, random as-of dates, and after random changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import empty_tables
from volunteers import db
from volunteers.stats.counts import counts, reference_counts
from volunteers.stats.definitions import SOURCES
from volunteers.stats.figures import parameters
from volunteers.stats.refresh import refresh
from volunteers.stats.schemas import FigureQuery
from volunteers.stats.targets import Target

AREAS = [  # id, code, level, parent id, path
    (1, "D1", "district", None, "/D1/"),
    (2, "S1", "street", 1, "/D1/S1/"),
    (3, "C11", "community", 2, "/D1/S1/C11/"),
    (4, "C12", "community", 2, "/D1/S1/C12/"),
    (5, "S2", "street", 1, "/D1/S2/"),
    (6, "C21", "community", 5, "/D1/S2/C21/"),
]
TARGETS = [Target(i, code, code, level, path) for i, code, level, _, path in AREAS] + [
    Target(2, "S1", "S1", "street", "/D1/S1/", own=True)
]
BASE = date(2024, 1, 1)

days = st.integers(min_value=0, max_value=1000)
volunteer_st = st.tuples(st.sampled_from([2, 3, 4, 6]), days, st.one_of(st.none(), days))
record_st = st.tuples(
    st.integers(min_value=0, max_value=29),
    days,
    st.sampled_from([0, 1, 15, 60, 180]),
    st.sampled_from(["approved", "approved", "pending", "rejected"]),
    st.sampled_from(["checkin", "manual"]),
    st.sampled_from([3, 4, 6]),
)
change_st = st.tuples(st.sampled_from(["approve", "reject", "withdraw", "move", "delete"]), st.integers(0, 400), days)


async def build(volunteers: list[tuple[int, int, int | None]], records: list[tuple[Any, ...]]) -> list[int]:
    await empty_tables()
    async with db.connection() as conn:
        await conn.executemany(
            "INSERT INTO area (id, code, name, level, parent, path) VALUES ($1, $2, $2, $3, $4, $5)", AREAS
        )
        await conn.execute("SELECT setval('area_id_seq', 10)")
        category = await conn.fetchval("SELECT id FROM activity_category LIMIT 1")
        activities = {}
        for area in (3, 4, 6):
            activities[area] = await conn.fetchval(
                "INSERT INTO activity (title, category, area, starts_at, ends_at, status) "
                "VALUES ('a', $1, $2, now(), now() + interval '1 hour', 'completed') RETURNING id",
                category,
                area,
            )
        ids = []
        for n, (area, registered, withdrawn) in enumerate(volunteers):
            registered_on = BASE + timedelta(days=registered)
            withdrawn_on = None if withdrawn is None else registered_on + timedelta(days=withdrawn)
            ids.append(
                await conn.fetchval(
                    "INSERT INTO volunteer (volunteer_no, name, phone, area, registered_on, consent_on, status,"
                    " withdrawn_on) VALUES ($1, 'x', $2, $3, $4, $4, $5, $6) RETURNING id",
                    f"P{n}",
                    f"136{n:08d}",
                    area,
                    registered_on,
                    "withdrawn" if withdrawn_on else "active",
                    withdrawn_on,
                )
            )
        for who, day, minutes, status, source, place in records:
            if not ids:
                break
            served = BASE + timedelta(days=day)
            starts = datetime.combine(served, time(6), tzinfo=UTC)
            await conn.execute(
                "INSERT INTO service_record (volunteer, activity, area, service_date, source, status, started_at,"
                " ended_at, seconds, minutes) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $8) ON CONFLICT DO NOTHING",
                ids[who % len(ids)],
                activities[place],
                place,
                served,
                source,
                status,
                starts,
                minutes,
            )
    return ids


async def change(ids: list[int], changes: list[tuple[str, int, int]]) -> None:
    async with db.connection() as conn:
        records = [r["id"] for r in await conn.fetch("SELECT id FROM service_record ORDER BY id")]
        for kind, pick, day in changes:
            if kind in ("approve", "reject", "delete") and records:
                record = records[pick % len(records)]
                if kind == "delete":
                    await conn.execute("DELETE FROM service_record WHERE id = $1", record)
                else:
                    status = "approved" if kind == "approve" else "rejected"
                    await conn.execute("UPDATE service_record SET status = $2 WHERE id = $1", record, status)
            elif kind == "withdraw" and ids:
                await conn.execute(
                    "UPDATE volunteer SET status = 'withdrawn', withdrawn_on = GREATEST(registered_on, $2)"
                    " WHERE id = $1",
                    ids[pick % len(ids)],
                    BASE + timedelta(days=day),
                )
            elif kind == "move" and ids:
                await conn.execute(
                    "UPDATE volunteer SET area = $2 WHERE id = $1", ids[pick % len(ids)], [3, 4, 6][day % 3]
                )


async def assert_paths_agree(as_of: date) -> None:
    await refresh()
    p = parameters(FigureQuery(area="D1", as_of=as_of, window_days=365, min_hours=0, sources=list(SOURCES)))
    fast = await counts(TARGETS, p)
    for target in TARGETS:
        reference = await reference_counts(target, p)
        got = {k: int(v) for k, v in fast[(target.id, target.own)].items() if k in reference}
        assert got == {k: int(v) for k, v in reference.items()}, (target, as_of)


@pytest.mark.anyio
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    volunteers=st.lists(volunteer_st, max_size=30),
    records=st.lists(record_st, max_size=60),
    changes=st.lists(change_st, max_size=8),
    as_of_days=st.lists(st.integers(min_value=-10, max_value=1500), min_size=1, max_size=3),
)
async def test_fast_path_matches_reference(
    app: Any, volunteers: Any, records: Any, changes: Any, as_of_days: Any
) -> None:
    ids = await build(volunteers, records)
    for offset in as_of_days:
        await assert_paths_agree(BASE + timedelta(days=offset))
    await change(ids, changes)
    for offset in as_of_days:
        await assert_paths_agree(BASE + timedelta(days=offset))
