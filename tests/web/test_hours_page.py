"""The approval queue (/staff/hours) and the 补录 form: what the queue shows and filters, bulk decisions record
by record (another area's refused, the others decided), a reason to reject, who entered a manual record,
four eyes on and off (page and API), CSRF; Chromium on two screens."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import PASSWORD, World
from tests.transfer.files import csv, upload
from tests.web.door import START, Clock, Door, frozen, session
from volunteers.checkin.tables import ServiceRecord
from volunteers.settings import get_settings

__all__ = ["frozen"]


async def statuses(*record_ids: int) -> list[str]:
    rows = await ServiceRecord.select(ServiceRecord.id, ServiceRecord.status).where(
        ServiceRecord.id.is_in(list(record_ids))
    )
    by_id = {r["id"]: r["status"] for r in rows}
    return [by_id[i] for i in record_ids]


async def pending_records(world: World, frozen: Clock) -> dict[str, int]:
    """Pending records: two closed by the missing-exit policy in C11, one manual of C11 entered a month ago
    (overdue), and one of C21."""
    door = Door(world)
    activity = await door.activity(title="读书分享会：雷锋日")
    code = await door.code(activity)
    li, han = await door.volunteer("李雷"), await door.volunteer("韩梅梅")
    frozen.set(START + timedelta(minutes=5))
    await door.scan(code, li["phone"])
    await door.scan(code, han["phone"])
    frozen.set(START + timedelta(minutes=65))
    assert (await world.post("staff_c11", f"/api/v1/activities/{activity}/close")).status_code == 200
    month_ago = await door.activity(
        title="一个月前的党建微课堂", starts_at=START - timedelta(days=30), ends_at=START - timedelta(days=30, hours=-2)
    )
    wang = await door.volunteer("王芳")
    manual = await door.manual(wang["id"], month_ago, START - timedelta(days=30))
    theirs = await door.activity(area="C21", user="staff_c21", title="西一社区的活动")
    zhao = await door.volunteer("赵西一", area="C21", user="staff_c21")
    west = await door.manual(zhao["id"], theirs, START + timedelta(minutes=1), minutes=30, user="staff_c21")
    ids = {r["volunteer"]: r["id"] for r in await ServiceRecord.select(ServiceRecord.id, ServiceRecord.volunteer)}
    return {"li": ids[li["id"]], "han": ids[han["id"]], "manual": manual, "west": west, "activity": activity}


def listed(page: Any, record_id: int) -> bool:
    return f'name="id" value="{record_id}"' in page.text


def row_of(html: str, record_id: int) -> str:
    found = re.search(
        rf'<tr>\s*<td class="pick"><input type="checkbox" name="id" value="{record_id}".*?</tr>', html, re.S
    )
    assert found, f"record {record_id} is not in the queue"
    return found.group(0)


async def test_the_queue_shows_what_waits_with_its_age_and_who_entered_it(
    app: Any, world: World, frozen: Clock
) -> None:
    ids = await pending_records(world, frozen)
    async with session(app, "staff_c11") as (http, _):
        queue = await http.get("/staff/hours")
        manual_only = await http.get("/staff/hours", params={"source": "manual"})
        overdue = await http.get("/staff/hours", params={"overdue": "1"})
        approved = await http.get("/staff/hours", params={"status": "approved"})
        one_activity = await http.get("/staff/hours", params={"activity": ids["activity"]})
        in_march = await http.get("/staff/hours", params={"from": "2026-03-01", "to": "2026-03-31"})
        bad = await http.get("/staff/hours", params={"from": "三月", "status": "pending"})
    assert queue.status_code == 200
    html = queue.text
    assert "西一社区的活动" not in html and "赵西一" not in html
    li = row_of(html, ids["li"])
    assert "李雷" in li and "读书分享会：雷锋日" in li and "2026-03-05" in li and "扫码" in li and "自动签退" in li
    assert "14:05–15:05" in li and ">1.0<" in li and "0 天" in li and "逾期" not in li
    manual = row_of(html, ids["manual"])
    assert "王芳" in manual and "补录" in manual and "staff_c11" in manual and "30 天" in manual and "逾期" in manual
    assert html.index(f'name="id" value="{ids["manual"]}"') < html.index(
        f'name="id" value="{ids["li"]}"'
    )  # oldest first
    assert "共 3 条" in html
    assert listed(manual_only, ids["manual"]) and not listed(manual_only, ids["li"])
    assert listed(overdue, ids["manual"]) and not listed(overdue, ids["han"])
    assert "共 0 条" in approved.text
    assert listed(one_activity, ids["li"]) and not listed(one_activity, ids["manual"])
    assert listed(in_march, ids["li"]) and not listed(in_march, ids["manual"])
    assert bad.status_code == 422 and "起始日期" in bad.text and 'value="三月"' in bad.text
    # the API says who entered it too
    record = (await world.get("staff_s1", f"/api/v1/service-records/{ids['manual']}")).json()
    assert record["entered_by"] == "staff_c11"
    assert (await world.get("staff_s1", f"/api/v1/service-records/{ids['li']}")).json()["entered_by"] is None


async def test_bulk_approval_decides_each_record_and_refuses_another_areas(
    app: Any, world: World, frozen: Clock
) -> None:
    ids = await pending_records(world, frozen)
    chosen = [ids["li"], ids["west"], ids["han"]]
    async with session(app, "staff_c11") as (http, csrf):
        done = await http.post("/staff/hours/approve?source=checkin", data={"csrf": csrf, "id": chosen})
        again = await http.post("/staff/hours/approve", data={"csrf": csrf, "id": [ids["li"]]})
        nothing = await http.post("/staff/hours/approve", data={"csrf": csrf})
        forged = await http.post("/staff/hours/approve", data={"id": [ids["manual"]]})
        junk = await http.post("/staff/hours/approve", data={"csrf": csrf, "id": ["1; drop table"]})
    assert done.status_code == 200, done.text
    assert await statuses(ids["li"], ids["han"], ids["west"], ids["manual"]) == [
        "approved",
        "approved",
        "pending",
        "pending",
    ]
    assert "已通过 2 条记录，1 条未能通过" in done.text and f"记录 #{ids['west']}：服务记录不存在" in done.text
    assert "赵西一" not in done.text and "西一社区的活动" not in done.text
    assert 'name="status"' in done.text and 'value="checkin" selected' in done.text  # the filter it came from
    # a double submit does no harm: the record is decided once, the page says why not again
    assert again.status_code == 409 and "只有待审核的记录可以通过（当前：已通过）" in again.text
    assert nothing.status_code == 422 and "请先勾选" in nothing.text
    assert forged.status_code == 403 and junk.status_code == 422
    assert await statuses(ids["manual"]) == ["pending"]


async def test_rejecting_needs_one_reason_for_all(app: Any, world: World, frozen: Clock) -> None:
    ids = await pending_records(world, frozen)
    async with session(app, "staff_c11") as (http, csrf):
        bare = await http.post("/staff/hours/reject", data={"csrf": csrf, "id": [ids["li"], ids["han"]], "reason": " "})
        long = await http.post("/staff/hours/reject", data={"csrf": csrf, "id": [ids["li"]], "reason": "长" * 501})
        many = await http.post("/staff/hours/reject", data={"csrf": csrf, "id": list(range(1, 202)), "reason": "批量"})
        assert await statuses(ids["li"], ids["han"]) == ["pending", "pending"]
        assert long.status_code == 422 and "原因" in long.text
        assert many.status_code == 422 and "一次最多处理 200 条" in many.text
        done = await http.post(
            "/staff/hours/reject", data={"csrf": csrf, "id": [ids["li"], ids["han"]], "reason": "当天未到场"}
        )
    assert bare.status_code == 422 and "驳回需要填写原因" in bare.text
    assert f'value="{ids["li"]}" aria-label="选择记录 {ids["li"]}" checked' in bare.text  # the ticks are kept
    assert done.status_code == 200 and "已驳回 2 条记录" in done.text
    reasons = await ServiceRecord.select(ServiceRecord.status, ServiceRecord.reason).where(
        ServiceRecord.id.is_in([ids["li"], ids["han"]])
    )
    assert reasons == [{"status": "rejected", "reason": "当天未到场"}] * 2


@pytest.fixture
def four_eyes(monkeypatch: pytest.MonkeyPatch) -> Any:
    def turn(on: bool) -> None:
        monkeypatch.setenv("VOLUNTEERS_FOUR_EYES", "1" if on else "0")
        get_settings.cache_clear()

    yield turn
    monkeypatch.delenv("VOLUNTEERS_FOUR_EYES", raising=False)
    get_settings.cache_clear()


async def test_four_eyes_keeps_whoever_entered_a_record_from_approving_it(
    app: Any, world: World, frozen: Clock, four_eyes: Any
) -> None:
    ids = await pending_records(world, frozen)
    door = Door(world)
    other = await door.manual((await door.volunteer("刘洋"))["id"], ids["activity"], START, minutes=30)
    four_eyes(True)
    mine = await world.post("staff_c11", f"/api/v1/service-records/{ids['manual']}/approve")
    assert mine.status_code == 409 and mine.json()["code"] == "four_eyes" and "四眼原则" in mine.json()["detail"]
    async with session(app, "staff_c11") as (http, csrf):
        page = await http.post("/staff/hours/approve", data={"csrf": csrf, "id": [other]})
        mixed = await http.post("/staff/hours/approve", data={"csrf": csrf, "id": [other, ids["li"]]})
    assert page.status_code == 409 and "不能由录入人本人审核通过" in page.text
    assert mixed.status_code == 200 and "已通过 1 条记录，1 条未能通过" in mixed.text  # a scan: anyone may approve
    assert await statuses(ids["manual"], other, ids["li"]) == ["pending", "pending", "approved"]
    # someone else may, and the one who entered it may still reject it
    assert (await world.post("staff_s1", f"/api/v1/service-records/{ids['manual']}/approve")).status_code == 200
    rejected = await world.post("staff_c11", f"/api/v1/service-records/{other}/reject", {"reason": "录错了"})
    assert rejected.status_code == 200
    # off (the default): a one-person office approves its own entries
    four_eyes(False)
    again = await door.manual((await door.volunteer("陈晨"))["id"], ids["activity"], START, minutes=20)
    async with session(app, "staff_c11") as (http, csrf):
        alone = await http.post("/staff/hours/approve", data={"csrf": csrf, "id": [again]})
    assert alone.status_code == 200 and await statuses(again) == ["approved"]


async def test_the_entry_form_makes_a_pending_record_once(app: Any, world: World, frozen: Clock) -> None:
    door = Door(world)
    activity = await door.activity(title="读书分享会：雷锋日")
    wang = await door.volunteer("王芳")
    frozen.set(START + timedelta(hours=4))
    form = {
        "volunteer_id": wang["id"],
        "activity_id": activity,
        "started_at": "2026-03-05T14:00",
        "reason": "纸质签到表",
    }
    async with session(app, "staff_c11") as (http, csrf):
        found = await http.get("/staff/hours/new", params={"q": "王芳"})
        by_phone = await http.get("/staff/hours/new", params={"q": wang["phone"]})
        missing = await http.post("/staff/hours/new", data={"csrf": csrf, **form, "ended_at": ""})
        done = await http.post("/staff/hours/new", data={"csrf": csrf, **form, "ended_at": "2026-03-05T15:30"})
        twice = await http.post("/staff/hours/new", data={"csrf": csrf, **form, "ended_at": "2026-03-05T15:30"})
        outside = await http.post(
            "/staff/hours/new",
            data={
                "csrf": csrf,
                **form,
                "ended_at": "2026-03-05T15:30",
                "activity_id": await door.activity("C21", "staff_c21"),
            },
        )
    for page in (found, by_phone):
        assert page.status_code == 200 and f'name="volunteer_id" value="{wang["id"]}"' in page.text
        assert f'<option value="{activity}"' in page.text
    assert missing.status_code == 422 and "结束时间" in missing.text
    assert 'value="2026-03-05T14:00"' in missing.text and "纸质签到表" in missing.text  # nothing typed is lost
    assert done.status_code == 303 and done.headers["location"].startswith("/staff/hours?created=")
    assert twice.status_code == 409 and outside.status_code in (403, 422)
    records = await ServiceRecord.select().where(ServiceRecord.volunteer == wang["id"])
    assert len(records) == 1
    record = records[0]
    assert (record["source"], record["status"], record["minutes"]) == ("manual", "pending", 90)
    assert record["started_at"] == START  # 14:00 on the district's clock
    assert (await door.record(record["id"]))["entered_by"] == "staff_c11"


async def test_an_imported_record_names_its_importer(app: Any, world: World, frozen: Clock, four_eyes: Any) -> None:
    door = Door(world)
    activity = await door.activity(title="读书分享会：雷锋日")
    wang = await door.volunteer("王芳")
    frozen.set(START + timedelta(hours=4))
    rows = [
        ["手机号", "活动名称", "服务日期", "开始时间", "结束时间"],
        [wang["phone"], "读书分享会：雷锋日", "2026-03-05", "2026-03-05 14:00", "2026-03-05 15:00"],
    ]
    imported = await upload(world, "staff_c11", "service-records", csv(rows), filename="补录.csv")
    assert imported.status_code == 200 and imported.json()["created"] == 1, imported.text
    record = (await world.get("staff_c11", "/api/v1/service-records", params={"activity": activity})).json()["items"][0]
    assert record["entered_by"] == "staff_c11"
    async with session(app, "staff_s1") as (http, _):
        assert "staff_c11" in row_of((await http.get("/staff/hours")).text, record["id"])
    four_eyes(True)
    assert (await world.post("staff_c11", f"/api/v1/service-records/{record['id']}/approve")).status_code == 409


SCREENS = {"phone": {"width": 360, "height": 640}, "desktop": {"width": 1366, "height": 768}}


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_the_queue_in_chromium(app: Any, world: World, frozen: Clock, shots: Path, screen: str) -> None:
    require_chromium()
    ids = await pending_records(world, frozen)
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=SCREENS[screen])  # type: ignore[arg-type]
        page = await context.new_page()
        await page.goto(f"{base}/login?next=/staff/hours")
        await page.fill("#username", "staff_c11")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_selector("text=通过所选")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.screenshot(path=str(shots / f"hours-{screen}.png"), full_page=True)
        await page.click("#all")  # 全选本页, without a script
        assert await page.eval_on_selector_all("input[name=id]", "boxes => boxes.every(b => b.checked)")
        await page.click("#none")
        assert not await page.eval_on_selector_all("input[name=id]", "boxes => boxes.some(b => b.checked)")
        await page.check(f"input[name=id][value='{ids['li']}']")
        await page.check(f"input[name=id][value='{ids['han']}']")
        await page.click("text=通过所选")
        await page.wait_for_selector("text=已通过 2 条记录")
        await page.screenshot(path=str(shots / f"hours-{screen}-approved.png"), full_page=True)
        await page.goto(f"{base}/staff/hours/new")
        await page.fill("#q", "王芳")
        await page.click("button:has-text('查找')")
        await page.wait_for_selector("input[name=volunteer_id]")
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.screenshot(path=str(shots / f"hours-new-{screen}.png"), full_page=True)
        await browser.close()
    assert await statuses(ids["li"], ids["han"], ids["manual"]) == ["approved", "approved", "pending"]
