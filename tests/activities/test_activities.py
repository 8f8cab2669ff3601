"""Registering and changing activities: the rules, and who may do it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest

from tests.conftest import World
from tests.factories import ACTIVITIES_URL, activity_body, activity_count, add_activity, add_team, add_venue, team_links
from volunteers.access import Caller
from volunteers.activities import activity_for_write
from volunteers.activities.tables import Activity
from volunteers.errors import Forbidden, NotFound
from volunteers.fields import LOCAL_TZ, today, years_after


async def test_create_returns_the_whole_activity(world: World) -> None:
    team = await add_team("C11", "东一志愿服务队")
    other = await add_team("C11", "东一第二服务队")
    venue = await add_venue("C11", "东一书屋")
    response = await world.post(
        "staff_c11",
        ACTIVITIES_URL,
        activity_body(
            venue_id=venue,
            team_ids=[other, team, other],
            capacity=40,
            opens_before_minutes=15,
            closes_after_minutes=60,
            rounding_minutes=15,
            daily_cap_minutes=480,
            reentry_allowed=True,
            approval="staff",
        ),
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "title": "亲子阅读会",
        "category": "parent_child_reading",
        "category_name": "亲子阅读会",
        "area_code": "C11",
        "venue_id": venue,
        "venue_name": "东一书屋",
        "team_ids": sorted([team, other]),
        "starts_at": "2026-05-01T09:00:00+08:00",
        "ends_at": "2026-05-01T11:30:00+08:00",
        "capacity": 40,
        "status": "draft",
        "opens_before_minutes": 15,
        "closes_after_minutes": 60,
        "rounding_minutes": 15,
        "daily_cap_minutes": 480,
        "reentry_allowed": True,
        "approval": "staff",
    }
    assert sorted(await team_links()) == sorted([(created["id"], team), (created["id"], other)])
    assert (await world.get("official_s1", f"{ACTIVITIES_URL}/{created['id']}")).json() == created
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "activity"})).json()
    assert [(e["action"], e["username"], e["area_code"]) for e in trail["items"]] == [("create", "staff_c11", "C11")]
    assert trail["items"][0]["after"]["team_ids"] == sorted([team, other])


async def test_defaults_and_category_by_chinese_name(world: World) -> None:
    created = await add_activity(world, category="党建微课堂")
    assert (created["category"], created["category_name"]) == ("party_micro_lecture", "党建微课堂")
    assert (created["venue_id"], created["venue_name"], created["team_ids"], created["capacity"]) == (
        None,
        None,
        [],
        None,
    )
    settings = {k: created[k] for k in ("opens_before_minutes", "closes_after_minutes", "rounding_minutes")}
    assert settings == {"opens_before_minutes": 30, "closes_after_minutes": 30, "rounding_minutes": 1}
    assert (created["daily_cap_minutes"], created["reentry_allowed"], created["approval"]) == (720, False, "auto")


async def test_naive_times_are_beijing_and_other_zones_are_converted(world: World) -> None:
    naive = await add_activity(world, starts_at="2026-05-01T09:00", ends_at="2026-05-01T10:00:00")
    assert (naive["starts_at"], naive["ends_at"]) == ("2026-05-01T09:00:00+08:00", "2026-05-01T10:00:00+08:00")
    utc = await add_activity(world, starts_at="2026-05-01T01:00:00Z", ends_at="2026-05-01T02:00:00+00:00")
    assert utc["starts_at"] == "2026-05-01T09:00:00+08:00"
    stored = await Activity.select(Activity.starts_at).where(Activity.id == naive["id"]).first()
    assert stored is not None and stored["starts_at"].isoformat() == "2026-05-01T01:00:00+00:00"


def _problem(response: Any, status: int, code: str, field: str | None) -> None:
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["code"] == code
    assert problem.get("field") == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"]), problem["detail"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"ends_at": "2026-05-01T09:00:00+08:00"}, "ends_before_start", "ends_at"),
        ({"ends_at": "2026-05-01T08:00:00+08:00"}, "ends_before_start", "ends_at"),
        ({"ends_at": "2026-06-01T09:00:01+08:00"}, "too_long", "ends_at"),
        ({"starts_at": "1948-12-31T09:00:00+08:00"}, "date_too_early", "starts_at"),
        ({"starts_at": "0001-01-01T00:00:00+14:00"}, "date_too_early", "starts_at"),
        ({"ends_at": "2101-01-01T09:00:00+08:00"}, "date_too_late", "ends_at"),
        ({"ends_at": "9999-12-31T23:59:59-12:00"}, "date_too_late", "ends_at"),
        ({"capacity": 0}, "out_of_range", "capacity"),
        ({"capacity": -5}, "out_of_range", "capacity"),
        ({"capacity": 100_001}, "out_of_range", "capacity"),
        ({"opens_before_minutes": -1}, "out_of_range", "opens_before_minutes"),
        ({"opens_before_minutes": 1441}, "out_of_range", "opens_before_minutes"),
        ({"closes_after_minutes": -1}, "out_of_range", "closes_after_minutes"),
        ({"closes_after_minutes": 1441}, "out_of_range", "closes_after_minutes"),
        ({"rounding_minutes": 0}, "out_of_range", "rounding_minutes"),
        ({"rounding_minutes": 241}, "out_of_range", "rounding_minutes"),
        ({"daily_cap_minutes": 0}, "out_of_range", "daily_cap_minutes"),
        ({"daily_cap_minutes": 1441}, "out_of_range", "daily_cap_minutes"),
        ({"category": "no_such_thing"}, "unknown_category", "category"),
        ({"category": "不存在的类别"}, "unknown_category", "category"),
        ({"area_code": "C99"}, "unknown_area", "area_code"),
        ({"venue_id": 999}, "unknown_venue", "venue_id"),
        ({"team_ids": [999]}, "unknown_team", "team_ids"),
        ({"title": "   "}, "required", "title"),
    ],
)
async def test_validation_failures_are_422_and_write_nothing(
    world: World, overrides: dict[str, Any], code: str, field: str
) -> None:
    await add_team("C11", "东一服务队")
    _problem(await world.post("staff_c11", ACTIVITIES_URL, activity_body(**overrides)), 422, code, field)
    assert await activity_count() == 0
    assert await team_links() == []


async def test_limits_are_inclusive(world: World) -> None:
    longest = await world.post("staff_c11", ACTIVITIES_URL, activity_body(ends_at="2026-06-01T09:00:00+08:00"))
    assert longest.status_code == 201, longest.text
    extremes = activity_body(
        capacity=100_000,
        opens_before_minutes=1440,
        closes_after_minutes=0,
        rounding_minutes=240,
        daily_cap_minutes=1,
    )
    assert (await world.post("staff_c11", ACTIVITIES_URL, extremes)).status_code == 201
    lows = activity_body(
        capacity=1, opens_before_minutes=0, closes_after_minutes=1440, rounding_minutes=1, daily_cap_minutes=1440
    )
    assert (await world.post("staff_c11", ACTIVITIES_URL, lows)).status_code == 201


async def test_team_ids_are_deduplicated_and_at_most_twenty(world: World) -> None:
    teams = [await add_team("C11", f"队{i}") for i in range(21)]
    twenty = await world.post("staff_c11", ACTIVITIES_URL, activity_body(team_ids=teams[:20] + teams[:20]))
    assert twenty.status_code == 201 and twenty.json()["team_ids"] == sorted(teams[:20])
    _problem(
        await world.post("staff_c11", ACTIVITIES_URL, activity_body(team_ids=teams)), 422, "too_many_teams", "team_ids"
    )
    assert await activity_count() == 1


async def test_inactive_category_and_dissolved_team_are_refused(world: World) -> None:
    assert (await world.patch("root", "/api/v1/activity-categories/3", {"is_active": False})).status_code == 200
    _problem(await world.post("staff_c11", ACTIVITIES_URL, activity_body()), 422, "unknown_category", "category")
    gone = await add_team("C11", "已解散队", status="dissolved")
    _problem(
        await world.post("staff_c11", ACTIVITIES_URL, activity_body(category="red_film", team_ids=[gone])),
        422,
        "team_dissolved",
        "team_ids",
    )
    assert await activity_count() == 0


async def test_staff_cannot_use_venues_or_teams_of_other_areas(world: World) -> None:
    c21_venue = await add_venue("C21", "西一书屋")
    c21_team = await add_team("C21", "西一服务队")
    own_team = await add_team("C11", "东一服务队")
    s1_venue = await add_venue("S1", "东街道实践所")
    for overrides in (
        {"venue_id": c21_venue},
        {"team_ids": [own_team, c21_team]},
        {"venue_id": s1_venue},  # the street above is outside a community's subtree too
        {"area_code": "C21"},
        {"area_code": "S1"},
    ):
        _problem(await world.post("staff_c11", ACTIVITIES_URL, activity_body(**overrides)), 403, "outside_scope", None)
    assert await activity_count() == 0
    assert await team_links() == []
    # the street staff may use the street's venue for a community activity
    assert (
        await world.post("staff_s1", ACTIVITIES_URL, activity_body(venue_id=s1_venue, team_ids=[own_team]))
    ).status_code == 201


async def test_scope_denials_for_reads_and_writes(world: World) -> None:
    c21 = await add_activity(world, "staff_c21", area_code="C21")
    path = f"{ACTIVITIES_URL}/{c21['id']}"
    assert (await world.get("staff_c11", path)).status_code == 404
    assert (await world.get("official_s1", path)).status_code == 404
    assert (await world.get("official_d1", path)).status_code == 200
    assert (await world.patch("staff_c11", path, {"title": "改"})).status_code == 404
    for action in ("publish", "cancel", "complete"):
        assert (await world.post("staff_c11", f"{path}/{action}")).status_code == 404
    assert (await world.get("staff_c11", ACTIVITIES_URL)).json() == {"items": [], "total": 0}
    assert (await world.get("staff_c11", ACTIVITIES_URL, params={"area": "C21"})).json() == {"items": [], "total": 0}
    assert (await world.get("root", path)).json() == c21


async def test_officials_read_but_every_write_is_403(world: World) -> None:
    team = await add_team("C11", "东一服务队")
    created = await add_activity(world, team_ids=[team])
    path = f"{ACTIVITIES_URL}/{created['id']}"
    assert (await world.get("official_s1", path)).status_code == 200
    assert (await world.get("official_s1", ACTIVITIES_URL)).json()["total"] == 1
    assert (await world.post("official_s1", ACTIVITIES_URL, activity_body())).status_code == 403
    assert (await world.patch("official_s1", path, {"title": "改"})).status_code == 403
    for action in ("publish", "cancel", "complete"):
        assert (await world.post("official_s1", f"{path}/{action}")).status_code == 403
    assert await activity_count() == 1
    assert (await world.get("root", path)).json() == created


async def test_patch_changes_fields_and_is_audited(world: World) -> None:
    first, second = await add_team("C11", "一队"), await add_team("C11", "二队")
    venue = await add_venue("C11", "东一书屋")
    created = await add_activity(world, team_ids=[first], capacity=30, venue_id=venue)
    path = f"{ACTIVITIES_URL}/{created['id']}"
    response = await world.patch(
        "staff_c11",
        path,
        {
            "title": "读书分享会（五月）",
            "category": "读书分享会",
            "starts_at": "2026-05-02T14:00",
            "ends_at": "2026-05-02T16:00",
            "team_ids": [second],
            "venue_id": None,
            "capacity": None,
            "rounding_minutes": 15,
            "approval": "staff",
        },
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert after == {
        **created,
        "title": "读书分享会（五月）",
        "category": "reading_salon",
        "category_name": "读书分享会",
        "starts_at": "2026-05-02T14:00:00+08:00",
        "ends_at": "2026-05-02T16:00:00+08:00",
        "team_ids": [second],
        "venue_id": None,
        "venue_name": None,
        "capacity": None,
        "rounding_minutes": 15,
        "approval": "staff",
    }
    assert await team_links() == [(created["id"], second)]
    trail = (await world.get("root", "/api/v1/audit", params={"entity": "activity"})).json()
    latest = trail["items"][0]
    assert latest["action"] == "update" and latest["username"] == "staff_c11"
    assert latest["before"] == created and latest["after"] == after
    # an empty patch changes nothing
    assert (await world.patch("staff_c11", path, {})).json() == after


async def test_patch_checks_the_combined_result(world: World) -> None:
    created = await add_activity(world)
    path = f"{ACTIVITIES_URL}/{created['id']}"
    _problem(
        await world.patch("staff_c11", path, {"ends_at": "2026-05-01T08:00:00+08:00"}),
        422,
        "ends_before_start",
        "ends_at",
    )
    _problem(
        await world.patch("staff_c11", path, {"starts_at": "2026-05-01T12:00:00+08:00"}),
        422,
        "ends_before_start",
        "ends_at",
    )
    _problem(
        await world.patch("staff_c11", path, {"starts_at": "2026-03-01T09:00:00+08:00"}), 422, "too_long", "ends_at"
    )
    _problem(await world.patch("staff_c11", path, {"capacity": 0}), 422, "out_of_range", "capacity")
    _problem(
        await world.patch("staff_c11", path, {"daily_cap_minutes": 2000}), 422, "out_of_range", "daily_cap_minutes"
    )
    _problem(await world.patch("staff_c11", path, {"category": "nope"}), 422, "unknown_category", "category")
    _problem(await world.patch("staff_c11", path, {"venue_id": 12345}), 422, "unknown_venue", "venue_id")
    _problem(await world.patch("staff_c11", path, {"team_ids": [12345]}), 422, "unknown_team", "team_ids")
    _problem(await world.patch("staff_c11", path, {"area_code": "NOPE"}), 422, "unknown_area", "area_code")
    _problem(await world.patch("staff_c11", path, {"area_code": "C21"}), 403, "outside_scope", None)
    _problem(
        await world.patch("staff_c11", path, {"team_ids": [await add_team("C21", "西队")]}), 403, "outside_scope", None
    )
    _problem(
        await world.patch("staff_c11", path, {"venue_id": await add_venue("C21", "西站")}),
        403,
        "outside_scope",
        None,
    )
    assert (await world.get("staff_c11", path)).json() == created
    # moving the end later together with the start is fine
    moved = await world.patch(
        "staff_c11", path, {"starts_at": "2026-05-03T09:00:00+08:00", "ends_at": "2026-05-03T10:00:00+08:00"}
    )
    assert moved.status_code == 200 and moved.json()["starts_at"] == "2026-05-03T09:00:00+08:00"


async def test_patch_may_move_an_activity_between_writable_areas(world: World) -> None:
    created = await add_activity(world, "staff_s1")
    response = await world.patch("staff_s1", f"{ACTIVITIES_URL}/{created['id']}", {"area_code": "C12"})
    assert response.status_code == 200 and response.json()["area_code"] == "C12"
    assert (await world.get("staff_c11", f"{ACTIVITIES_URL}/{created['id']}")).status_code == 404
    assert (await world.get("staff_c12", f"{ACTIVITIES_URL}/{created['id']}")).status_code == 200


@pytest.mark.parametrize("final", ["completed", "cancelled"])
async def test_patch_is_refused_once_closed(world: World, final: str) -> None:
    created = await add_activity(world)
    path = f"{ACTIVITIES_URL}/{created['id']}"
    assert (await world.patch("staff_c11", path, {"title": "草稿可改"})).status_code == 200
    assert (await world.post("staff_c11", f"{path}/publish")).status_code == 200
    assert (await world.patch("staff_c11", path, {"title": "发布后可改"})).status_code == 200
    if final == "completed":
        assert (await world.post("staff_c11", f"{path}/complete")).status_code == 200
    else:
        assert (await world.post("staff_c11", f"{path}/cancel")).status_code == 200
    refused = await world.patch("staff_c11", path, {"title": "结束后不可改"})
    _problem(refused, 409, "activity_closed", None)
    assert refused.json()["current_status"] == final
    assert (await world.get("staff_c11", path)).json()["title"] == "发布后可改"


def _caller(role: str, code: str | None, path: str | None) -> Caller:
    return Caller(user_id=1, username="t", role=role, area_id=None, area_code=code, area_path=path)


async def test_activity_for_write_serves_the_checkin_work(world: World) -> None:
    created = await add_activity(world, rounding_minutes=15)
    row = await activity_for_write(_caller("staff", "C11", "/D1/S1/C11/"), created["id"])
    assert row["id"] == created["id"] and row["status"] == "draft"
    assert row["area_path"] == "/D1/S1/C11/" and row["area_code"] == "C11" and isinstance(row["area_id"], int)
    assert row["starts_at"].isoformat() == "2026-05-01T01:00:00+00:00"
    assert row["ends_at"].isoformat() == "2026-05-01T03:30:00+00:00"
    assert (row["opens_before_minutes"], row["closes_after_minutes"], row["rounding_minutes"]) == (30, 30, 15)
    assert (row["daily_cap_minutes"], row["reentry_allowed"], row["approval"]) == (720, False, "auto")
    with pytest.raises(NotFound):
        await activity_for_write(_caller("staff", "C21", "/D1/S2/C21/"), created["id"])
    with pytest.raises(NotFound):
        await activity_for_write(_caller("staff", "C11", "/D1/S1/C11/"), 99999)
    with pytest.raises(Forbidden):
        await activity_for_write(_caller("official", "S1", "/D1/S1/"), created["id"])


async def test_activities_are_dated_from_1949_to_two_years_ahead(world: World) -> None:
    """Issue 10, item 7: an activity more than two years ahead, or before 1949, is a typing mistake."""
    ahead = years_after(today(), 2)
    last = datetime.combine(ahead, time(9), LOCAL_TZ)
    accepted = await world.post(
        "staff_c11",
        ACTIVITIES_URL,
        activity_body(starts_at=(last - timedelta(hours=2)).isoformat(), ends_at=last.isoformat()),
    )
    assert accepted.status_code == 201, accepted.text
    beyond = last + timedelta(days=1)
    refused = await world.post(
        "staff_c11",
        ACTIVITIES_URL,
        activity_body(starts_at=(beyond - timedelta(hours=2)).isoformat(), ends_at=beyond.isoformat()),
    )
    _problem(refused, 422, "date_too_late", "starts_at")
    moved = await world.patch(
        "staff_c11", f"{ACTIVITIES_URL}/{accepted.json()['id']}", {"starts_at": "1948-06-01T09:00:00+08:00"}
    )
    _problem(moved, 422, "date_too_early", "starts_at")
    oldest = await world.post(
        "staff_c11",
        ACTIVITIES_URL,
        activity_body(starts_at="1949-10-01T10:00:00+08:00", ends_at="1949-10-01T15:00:00+08:00"),
    )
    assert oldest.status_code == 201, oldest.text
    assert await activity_count() == 2
