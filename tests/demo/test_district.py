"""The demo district, built once for this module and checked with plain SQL.

One full build takes tens of seconds, so a module-scoped fixture builds it (opening the pool
itself, as the function-scoped `app` fixture would) and every test here only reads. The
determinism test, last, builds again from scratch with the same seed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import empty_tables
from volunteers import db
from volunteers.auth.service import login
from volunteers.demo import DemoResult, build_demo
from volunteers.people.identity import decrypt_id_number, validate_id_number

AS_OF = date(2026, 6, 30)
SEED = 7
YEAR_START = AS_OF - timedelta(days=364)
ACTIVE_REPORTED = 22_500


@pytest.fixture(scope="module")
async def demo(database: str) -> AsyncIterator[DemoResult]:
    """The demo district as of AS_OF, in the session's test database."""
    await db.open_pool(max_size=4)
    try:
        await empty_tables()
        yield await build_demo(AS_OF, SEED)
    finally:
        await empty_tables()
        await db.close_pool()


async def rows(query: str, *args: Any) -> list[Any]:
    async with db.connection() as conn:
        return list(await conn.fetch(query, *args))


async def value(query: str, *args: Any) -> Any:
    async with db.connection() as conn:
        return await conn.fetchval(query, *args)


REGISTERED = """
    SELECT count(*) FROM volunteer
    WHERE registered_on <= $1 AND (withdrawn_on IS NULL OR withdrawn_on > $1)
"""
ACTIVE = """
    SELECT count(*) FROM volunteer v
    WHERE v.registered_on <= $1 AND (v.withdrawn_on IS NULL OR v.withdrawn_on > $1)
      AND EXISTS (SELECT 1 FROM service_record r
                  WHERE r.volunteer = v.id AND r.status = 'approved' AND r.minutes > 0
                    AND r.service_date BETWEEN $1::date - 364 AND $1::date)
"""


async def test_registered_volunteers_and_population_match_the_report(demo: DemoResult) -> None:
    registered = await value(REGISTERED, AS_OF)
    assert registered == 35_632
    assert await value("SELECT count(*) FROM volunteer WHERE withdrawn_on <= $1", AS_OF) >= 100
    assert await value("SELECT count(*) FROM volunteer WHERE registered_on > $1", AS_OF) == 0
    district = await value(
        "SELECT p.resident_population FROM area_population p JOIN area a ON a.id = p.area"
        " WHERE a.code = 'GX' AND a.level = 'district' AND p.year = $1 AND p.source = '演示数据'",
        AS_OF.year,
    )
    assert district == 207_646
    assert round(100 * registered / district, 2) == 17.16
    assert await value(
        "SELECT count(*) FROM area_population p JOIN area a ON a.id = p.area WHERE a.code = 'GX' AND p.year = $1",
        AS_OF.year - 1,
    )
    # children add up to their parent, in both years
    mismatched = await rows("""
        SELECT parent.code, p.year FROM area parent
        JOIN area_population p ON p.area = parent.id
        JOIN area child ON child.parent = parent.id
        JOIN area_population c ON c.area = child.id AND c.year = p.year
        GROUP BY parent.code, p.year, p.resident_population
        HAVING sum(c.resident_population) <> p.resident_population
    """)
    assert mismatched == []
    levels = dict(await rows("SELECT level, count(*) FROM area GROUP BY level"))
    assert levels["district"] == 1 and 4 <= levels["street"] <= 6 and 15 <= levels["community"] <= 30
    assert demo.counts["registered"] == 35_632 and demo.counts["population"] == 207_646


async def test_sixty_teams_sponsored_across_the_district(demo: DemoResult) -> None:
    assert await value("SELECT count(*) FROM team") == 60
    sponsors = {r["sponsor"] for r in await rows("SELECT sponsor FROM team")}
    assert {"衡州小学", "金化科技"} <= sponsors
    assert any(s.endswith("办事处") for s in sponsors) and any(s.endswith("居民委员会") for s in sponsors)
    levels = dict(await rows("SELECT a.level, count(*) FROM team t JOIN area a ON a.id = t.area GROUP BY a.level"))
    assert set(levels) == {"district", "street", "community"}
    assert await value("SELECT count(DISTINCT team) FROM membership WHERE role = 'leader' AND left_on IS NULL") == 60
    late = await value("""
        SELECT count(*) FROM membership m JOIN volunteer v ON v.id = m.volunteer JOIN team t ON t.id = m.team
        WHERE m.joined_on < v.registered_on OR m.joined_on < t.founded_on OR m.joined_on > $1
           OR m.left_on < m.joined_on OR (v.withdrawn_on IS NOT NULL AND m.left_on IS NULL)
    """, AS_OF)  # fmt: skip
    assert late == 0


async def test_active_volunteers_are_about_the_reported_figure(demo: DemoResult) -> None:
    active = await value(ACTIVE, AS_OF)
    assert abs(active - ACTIVE_REPORTED) <= ACTIVE_REPORTED * 0.02
    assert active == demo.counts["active"]
    # the window matters: a year earlier the same definition counts other people
    assert await value(ACTIVE, AS_OF - timedelta(days=365)) < active


async def test_every_record_follows_the_check_in_rules(demo: DemoResult) -> None:
    broken = await rows("""
        SELECT r.id FROM service_record r JOIN activity a ON a.id = r.activity
        WHERE r.ended_at IS NULL OR r.inside_since IS NOT NULL
           OR r.seconds <> checkin_clipped_seconds(r.started_at, r.ended_at, a.starts_at, a.ends_at)
           OR r.minutes <> checkin_minutes(
                  checkin_clipped_seconds(r.started_at, r.ended_at, a.starts_at, a.ends_at),
                  a.rounding_minutes, a.daily_cap_minutes)
           OR r.service_date <> (r.started_at AT TIME ZONE 'Asia/Shanghai')::date
           OR r.area <> a.area
           OR r.started_at < a.starts_at - make_interval(mins => a.opens_before_minutes)
           OR r.ended_at > a.ends_at + make_interval(mins => a.closes_after_minutes)
           OR (r.auto_closed AND r.ended_at <> a.ends_at)
           OR (r.status = 'pending') <> (r.decided_at IS NULL)
           OR r.decided_at > ($1::date)::timestamp AT TIME ZONE 'Asia/Shanghai'
    """, AS_OF)  # fmt: skip
    assert broken == []
    assert await value("SELECT count(*) FROM service_record WHERE status = 'approved' AND minutes = 0") == 0


async def test_no_two_check_in_records_for_a_volunteer_activity_and_day(demo: DemoResult) -> None:
    duplicates = await rows("""
        SELECT volunteer, activity, service_date, source FROM service_record
        WHERE source = 'checkin' OR status <> 'rejected'
        GROUP BY volunteer, activity, service_date, source HAVING count(*) > 1
    """)
    assert duplicates == []


async def test_statuses_and_sources_tell_the_whole_story(demo: DemoResult) -> None:
    counts = {
        (r["source"], r["status"], r["auto_closed"]): r["count"]
        for r in await rows("SELECT source, status, auto_closed, count(*) FROM service_record GROUP BY 1, 2, 3")
    }
    total = sum(counts.values())
    approved = sum(n for (_, status, _), n in counts.items() if status == "approved")
    assert approved > 0.95 * total
    assert counts.get(("checkin", "pending", True), 0) > 0  # forgot to check out, waiting for staff
    assert sum(n for (_, status, _), n in counts.items() if status == "pending") > 0
    assert sum(n for (_, status, _), n in counts.items() if status == "rejected") > 0
    assert counts.get(("manual", "approved", False), 0) > 0  # 补录
    # an approved 补录 that corrects an auto-closed record rejects it, saying which record replaced it
    corrections = await rows("""
        SELECT m.id, c.status, c.reason FROM service_record m JOIN service_record c ON c.id = m.corrects
        WHERE m.source = 'manual' AND m.status = 'approved'
    """)
    assert corrections
    assert all(r["status"] == "rejected" and r["reason"] == f"由补录记录 #{r['id']} 更正" for r in corrections)
    assert await value("SELECT count(*) FROM service_record WHERE status <> 'pending' AND decided_at IS NULL") == 0


async def test_scans_behind_every_check_in_record(demo: DemoResult) -> None:
    missing_in = await value("""
        SELECT count(*) FROM service_record r WHERE r.source = 'checkin' AND NOT EXISTS (
            SELECT 1 FROM scan s WHERE s.volunteer = r.volunteer AND s.activity = r.activity
              AND s.action = 'in' AND s.result = 'ok' AND s.at = r.started_at)
    """)
    missing_out = await value("""
        SELECT count(*) FROM service_record r WHERE r.source = 'checkin' AND NOT r.auto_closed AND NOT EXISTS (
            SELECT 1 FROM scan s WHERE s.volunteer = r.volunteer AND s.activity = r.activity
              AND s.action = 'out' AND s.result = 'ok' AND s.at = r.ended_at
              AND (s.response ->> 'minutes')::int = r.minutes)
    """)
    exits_of_auto_closed = await value("""
        SELECT count(*) FROM service_record r JOIN scan s
          ON s.volunteer = r.volunteer AND s.activity = r.activity AND s.action = 'out' AND s.result = 'ok'
        WHERE r.auto_closed
    """)
    assert (missing_in, missing_out, exits_of_auto_closed) == (0, 0, 0)
    ok_scans = await value("SELECT count(*) FROM scan WHERE result = 'ok'")
    checkin_records = await value("SELECT count(*) FROM service_record WHERE source = 'checkin'")
    auto_closed = await value("SELECT count(*) FROM service_record WHERE auto_closed")
    assert ok_scans == 2 * checkin_records - auto_closed
    assert await value("SELECT count(*) FROM scan WHERE nonce IS NULL") == 0
    assert await value("SELECT count(DISTINCT nonce) = count(*) FROM scan")
    results = {r["result"] for r in await rows("SELECT DISTINCT result FROM scan")}
    assert {"ok", "already_checked_in", "closed", "not_open_yet", "revoked", "unknown_code"} <= results
    # link scans carry the activity's live code (or, refused, a revoked or unknown one)
    wrong_code = await value("""
        SELECT count(*) FROM scan s JOIN checkin_code c ON c.activity = s.activity AND c.revoked_at IS NULL
        WHERE s.method = 'link' AND s.result = 'ok' AND s.code <> c.code
    """)
    assert wrong_code == 0


async def test_venues_and_a_year_of_activities_in_every_category(demo: DemoResult) -> None:
    venues = {r["name"]: r["kind"] for r in await rows("SELECT name, kind FROM venue")}
    assert venues["陆家书屋"] == venues["工友书屋"] == venues["心社1921衡阳文化书社"] == "book_house"
    assert "centre" in venues.values() and "institute" in venues.values()
    streets_without_station = await value("""
        SELECT count(*) FROM area s WHERE s.level = 'street' AND NOT EXISTS (
            SELECT 1 FROM venue v JOIN area a ON a.id = v.area
            WHERE v.kind = 'station' AND v.name LIKE '%文明实践站' AND a.path LIKE s.path || '%')
    """)
    assert streets_without_station == 0
    in_year = """
        SELECT count(*) FROM activity a {join}
        WHERE a.status = 'completed' AND (a.starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $1 AND $2 {where}
    """
    assert await value(in_year.format(join="", where=""), YEAR_START, AS_OF) >= 300
    at_book_house = in_year.format(join="JOIN venue v ON v.id = a.venue", where="AND v.name = '陆家书屋'")
    assert await value(at_book_house, YEAR_START, AS_OF) >= 50
    unused_categories = await rows("""
        SELECT c.name FROM activity_category c
        WHERE c.is_active AND NOT EXISTS (SELECT 1 FROM activity a WHERE a.category = c.id AND a.status = 'completed')
    """)
    assert unused_categories == []
    assert await value("SELECT count(*) FROM activity_category") == 12
    # one live code for every activity that can be scanned; drafts have none
    codes = await rows("""
        SELECT a.status, count(c.id) AS live FROM activity a
        LEFT JOIN checkin_code c ON c.activity = a.id AND c.revoked_at IS NULL GROUP BY a.id, a.status
    """)
    assert all(r["live"] == (0 if r["status"] == "draft" else 1) for r in codes)
    assert {r["status"] for r in codes} == {"completed", "cancelled", "published", "draft"}
    assert await value("SELECT count(*) FROM checkin_code WHERE revoked_at IS NOT NULL") > 0
    over = await value("""
        SELECT count(*) FROM activity a
        WHERE a.capacity < (SELECT count(*) FROM service_record r WHERE r.activity = a.id)
    """)
    assert over == 0
    assert await value("SELECT count(*) FROM service_record r JOIN activity a ON a.id = r.activity"
                       " WHERE a.status <> 'completed'") == 0  # fmt: skip


async def test_volunteers_look_like_people(demo: DemoResult) -> None:
    people = await rows("SELECT * FROM volunteer ORDER BY id")
    assert all(re.fullmatch(r"1[3-9]\d{9}", p["phone"]) for p in people)
    assert all(re.fullmatch(r"ZY\d{10}", p["volunteer_no"]) for p in people)
    years = {p["registered_on"].year for p in people}
    assert len(years) >= 5
    with_id = [p for p in people if p["id_number_cipher"] is not None]
    assert 0.2 * len(people) < len(with_id) < 0.8 * len(people)
    for person in with_id[:500]:
        number = decrypt_id_number(person["id_number_cipher"])
        facts = validate_id_number(number)
        assert (facts.birth_date, facts.gender) == (person["birth_date"], person["gender"])
    assert {p["gender"] for p in people} >= {"male", "female"}
    minors = [
        p for p in people if p["birth_date"] is not None and p["birth_date"] > _years_before(p["registered_on"], 18)
    ]
    assert minors and all(p["guardian_name"] and p["guardian_phone"] and p["guardian_consent_on"] for p in minors)
    assert all(p["status"] == "withdrawn" for p in people if p["withdrawn_on"] is not None)
    assert any(p["status"] == "suspended" for p in people)


async def test_a_login_for_each_role_with_the_printed_password(demo: DemoResult) -> None:
    roles = {(login.role, login.area_code) for login in demo.logins}
    assert {"admin", "staff", "official"} == {role for role, _ in roles}
    levels = dict(await rows("SELECT u.username, a.level FROM staff_user u JOIN area a ON a.id = u.area"))
    assert sorted(levels.values()) == ["community", "district", "district", "street"]
    for account in demo.logins:
        token = await login(account.username, account.password, address="127.0.0.1")
        assert token.access_token
    assert await value("SELECT count(*) FROM audit_entry WHERE entity = 'demo_district'") == 1


async def test_same_seed_same_district(demo: DemoResult) -> None:
    first = await rows("SELECT name, phone, id_number_hash, registered_on, area FROM volunteer ORDER BY id LIMIT 1")
    await empty_tables()
    again = await build_demo(AS_OF, SEED)
    assert again.counts == demo.counts
    assert (
        await rows("SELECT name, phone, id_number_hash, registered_on, area FROM volunteer ORDER BY id LIMIT 1")
        == first
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
