"""The venue pages of the workbench (/staff/venues): register and edit a venue with the kind picked from the
API's list, the API's rules and messages, and another area's venues out of reach."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import World
from tests.matrix_world import fingerprint
from tests.web.test_staff_home import hidden
from tests.web.test_volunteer_pages import staff_client
from volunteers.audit.tables import AuditEntry
from volunteers.venues.schemas import KIND_LABELS
from volunteers.venues.tables import Venue


async def make_venue(world: World, user: str, area: str, name: str) -> int:
    made = await world.post(user, "/api/v1/venues", {"name": name, "kind": "station", "area_code": area})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def test_register_and_edit_a_venue(app: Any, world: World) -> None:
    async with staff_client(app, "staff_c11") as http:
        form = await http.get("/staff/venues/new")
        csrf = hidden(form.text)
        for kind, label in KIND_LABELS.items():
            assert f'<option value="{kind}">{label}</option>' in form.text
        body = {"name": "东一书屋", "kind": "book_house", "area_code": "C11", "address": "东一路 1 号", "csrf": csrf}
        wrong_kind = await http.post("/staff/venues", data={**body, "kind": "党群服务中心"})
        assert wrong_kind.status_code == 422 and "阵地类型（kind）" in wrong_kind.text
        assert "「党群服务中心」不是可选的值" in wrong_kind.text and 'value="东一路 1 号"' in wrong_kind.text
        made = await http.post("/staff/venues", data=body)
        assert made.status_code == 303, made.text
        where = re.fullmatch(r"/staff/venues/(\d+)\?done=created", made.headers["location"])
        assert where
        page = await http.get(made.headers["location"])
        assert "阵地已登记" in page.text and "书屋" in page.text and "东一路 1 号" in page.text
        twice = await http.post("/staff/venues", data=body)
        assert twice.status_code == 409 and "该区域已有同名阵地：东一书屋" in twice.text
        path = f"/staff/venues/{where[1]}"
        saved = await http.post(path, data={**body, "kind": "station", "address": ""})
        assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
        again = await http.post(path, data={**body, "kind": "station", "address": ""})
        assert again.headers["location"].endswith("?done=unchanged")
        blank = await http.post(path, data={**body, "name": "  "})
        assert blank.status_code == 422 and "（name）格式不正确：不能为空" in blank.text
        listed = await http.get("/staff/venues", params={"kind": "station", "q": "东一"})
    venue = (await world.get("staff_c11", f"/api/v1/venues/{where[1]}")).json()
    assert (venue["name"], venue["kind"], venue["address"]) == ("东一书屋", "station", "")
    assert await AuditEntry.count().where((AuditEntry.entity == "venue") & (AuditEntry.action == "update")) == 1
    assert f"/staff/venues/{where[1]}" in listed.text and "实践站" in listed.text


async def test_another_areas_venue_and_bad_input_change_nothing(app: Any, world: World) -> None:
    theirs = await make_venue(world, "staff_c21", "C21", "西一实践站")
    mine = await make_venue(world, "staff_c11", "C11", "东一实践站")
    async with staff_client(app, "staff_c11") as http:
        csrf = hidden((await http.get("/staff/venues/new")).text)
        before = await fingerprint()
        body = {"name": "改名", "kind": "station", "area_code": "C11", "csrf": csrf}
        answers = [
            await http.get(f"/staff/venues/{theirs}"),
            await http.post(f"/staff/venues/{theirs}", data=body),
            await http.post(f"/staff/venues/{mine}", data={**body, "area_code": "C21"}),
            await http.post("/staff/venues", data={**body, "area_code": "C21"}),
            await http.post("/staff/venues", data={**body, "name": "站" * 10_000}),
            await http.post(f"/staff/venues/{mine}", data={**body, "address": "路" * 10_000}),
            await http.post("/staff/venues", data={"name": "新站", "kind": "station", "area_code": "C11"}),
        ]
        listed = await http.get("/staff/venues")
        assert await fingerprint() == before
    assert [a.status_code for a in answers] == [404, 404, 403, 403, 422, 422, 403]
    assert "（name）格式不正确：最多 100 个字符" in answers[4].text
    assert "地址（address）格式不正确：最多 200 个字符" in answers[5].text
    for answer in (*answers, listed):
        assert "西一实践站" not in answer.text and "西一社区" not in answer.text
    assert await Venue.count() == 2
