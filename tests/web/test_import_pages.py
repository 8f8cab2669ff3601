"""The import and export pages (/staff/imports, /staff/exports): upload, report, marked sheet, confirm, files."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import anyio
import httpx
import openpyxl
import pytest
from playwright.async_api import FilePayload, async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served
from tests.conftest import World
from tests.transfer.files import csv, xlsx
from tests.web.test_landing_and_dashboard import SCREENS, browser_login, fits
from tests.web.test_staff_home import hidden, log_in, page_client
from volunteers.people.tables import Volunteer

HEADERS = ["姓名", "手机号", "所属社区"]
BAD = [HEADERS, ["张三", "13800138000", "C11"], ["李四", "1380013", "C11"], ["王五", "13800138002", "C11"]]
GOOD = [HEADERS, ["张三", "13800138000", "C11"], ["李四", "13800138001", "C11"], ["王五", "13800138002", "C11"]]


async def upload(
    http: httpx.AsyncClient, content: bytes, *, csrf: str | None = None, name: str = "名单.xlsx", **fields: str
) -> httpx.Response:
    """Post the import form as a browser does (multipart, the page's CSRF token unless told otherwise)."""
    if csrf is None:
        csrf = hidden((await http.get("/staff/imports")).text)
    data = {"csrf": csrf, "kind": "volunteers", "area": "C11", **fields}
    return await http.post(
        "/staff/imports/upload", data=data, files={"file": (name, content, "application/octet-stream")}
    )


async def names() -> set[str]:
    return {r["name"] for r in await Volunteer.select(Volunteer.name)}


async def test_a_bad_row_is_reported_marked_then_fixed_and_confirmed(app: Any, world: World) -> None:
    async with page_client(app) as http:
        await log_in(http, "staff_c11")
        page = await http.get("/staff/imports")
        assert page.status_code == 200 and "上传表格" in page.text and "/staff/imports/volunteers/template" in page.text
        assert 'value="C11"' in page.text and 'value="C21"' not in page.text  # only my subtree in the picker

        bad = xlsx(BAD)
        checked = await upload(http, bad, dry_run="true")
        assert checked.status_code == 422, checked.text
        row = re.search(r'<tr data-row="3">(.*?)</tr>', checked.text, re.S)
        assert row and "手机号" in row.group(1) and "1380013" in row.group(1)  # row 3 of the sheet, its column
        assert "<b>2</b><span>正确的行</span>" in checked.text and "整个文件都不会写入" in checked.text
        assert 'name="dry_run" value="false">确认导入' not in checked.text  # nothing to confirm while a row is wrong
        assert await names() == set()

        marked = await upload(http, bad, format="xlsx", checked=hidden(checked.text, "checked"))
        assert marked.status_code == 200 and marked.headers["content-type"].startswith("application/vnd.openxml")
        assert "attachment" in marked.headers["content-disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(marked.content)).active
        assert sheet is not None
        header = [c.value for c in sheet[1]]
        notes = {r: sheet.cell(row=r, column=header.index("错误说明") + 1).value for r in (2, 3, 4)}
        assert notes[2] is None and notes[4] is None and "手机号" in str(notes[3])
        assert await names() == set()  # downloading the marked sheet writes nothing

        good = xlsx(GOOD)
        fixed = await upload(http, good, dry_run="true")
        assert fixed.status_code == 200 and "检查通过" in fixed.text and "<b>3</b><span>将新增</span>" in fixed.text
        assert hidden(fixed.text, "checked") == hashlib.sha256(good).hexdigest()
        assert await names() == set()

        confirm = {"dry_run": "false", "checked": hidden(fixed.text, "checked")}
        done = await upload(http, good, **confirm)
        assert done.status_code == 200 and "已写入 3 行" in done.text, done.text
        assert await names() == {"张三", "李四", "王五"}
        again = await upload(http, good, **confirm)  # a double submit: the same rows, nothing new
        assert again.status_code == 200 and "<b>3</b><span>无变化</span>" in again.text
        assert await Volunteer.count() == 3
        home = await http.get("/staff")
        assert "名单.xlsx" in home.text  # the home page's latest imports


async def test_confirming_another_file_only_checks_it(app: Any, world: World) -> None:
    async with page_client(app) as http:
        await log_in(http, "staff_c11")
        good = xlsx(GOOD)
        fixed = await upload(http, good, dry_run="true")
        other = csv([HEADERS, ["赵六", "13800138009", "C11"]])
        swapped = await upload(http, other, name="别的.csv", dry_run="false", checked=hidden(fixed.text, "checked"))
        assert swapped.status_code == 200 and "这不是刚才检查的那个文件" in swapped.text
        assert await names() == set()


async def test_another_area_and_a_missing_token_are_refused(app: Any, world: World) -> None:
    async with page_client(app) as http:
        await log_in(http, "staff_c11")
        elsewhere = await upload(http, csv([HEADERS, ["赵六", "13800138009", "C21"]]), area="C21", dry_run="false")
        assert elsewhere.status_code == 403 and "不在您管辖的区域内" in elsewhere.text
        forged = await upload(http, csv(GOOD), csrf="not-the-token-of-this-browser", dry_run="false")
        assert forged.status_code == 403
        blank = await upload(http, csv(GOOD), csrf="", dry_run="false")
        assert blank.status_code == 403
        assert await names() == set()
        unknown = await upload(http, csv(GOOD), area="NOPE", dry_run="false")
        assert unknown.status_code == 422 and "NOPE" in unknown.text and 'value="volunteers" selected' in unknown.text
        no_file = await http.post(
            "/staff/imports/upload", data={"csrf": hidden((await http.get("/staff/imports")).text), "kind": "teams"}
        )
        assert no_file.status_code == 422 and "请选择要导入的文件" in no_file.text
        assert 'value="teams" selected' in no_file.text  # what was chosen is kept
        not_a_sheet = await upload(http, b"\x00\x01 not a spreadsheet", name="x.xlsx")
        assert not_a_sheet.status_code == 422
    async with page_client(app) as http:
        await log_in(http, "official_s1")
        assert (await http.get("/staff/imports")).status_code == 403


async def test_a_file_over_the_size_limit_is_refused_on_the_page(
    app: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOLUNTEERS_IMPORT_MAX_MB", "1")  # the API's limit, read as the API reads it
    big = csv([HEADERS] + [[f"志愿者{n}", f"138{n:08d}", "C11"] for n in range(40_000)])
    assert len(big) > 1024 * 1024
    async with page_client(app) as http:
        await log_in(http, "staff_c11")
        refused = await upload(http, big, dry_run="false")
    assert refused.status_code == 413 and "超过 1 MB" in refused.text and "上传表格" in refused.text
    assert await names() == set()


async def test_templates_and_exports_download(app: Any, world: World) -> None:
    for phone, area, name in (("13800138000", "C11", "东一张三"), ("13800138001", "C21", "西一李四")):
        body = {"name": name, "phone": phone, "area_code": area}
        assert (await world.post("root", "/api/v1/volunteers", body)).status_code == 201
    async with page_client(app) as http:
        await log_in(http, "staff_c11")
        blank = await http.get("/staff/imports/memberships/template")
        assert blank.status_code == 200 and "filename*=UTF-8''" in blank.headers["content-disposition"]
        assert openpyxl.load_workbook(io.BytesIO(blank.content)).sheetnames[1] == "填写说明"
        assert (await http.get("/staff/imports/nothing/template")).status_code == 404

        page = await http.get("/staff/exports")
        assert page.status_code == 200
        for kind in ("volunteers", "teams", "memberships", "activities", "service-records"):
            assert f'action="/staff/exports/{kind}"' in page.text
        sheet = await http.get("/staff/exports/volunteers", params={"format": "csv", "q": "张三"})
        assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
        text = sheet.content.decode("utf-8-sig")
        assert "东一张三" in text and "西一李四" not in text
        everything = (await http.get("/staff/exports/volunteers", params={"format": "csv"})).content.decode("utf-8-sig")
        assert "西一李四" not in everything  # scoped like the API's export
        api = await world.get("staff_c11", "/api/v1/exports/volunteers", params={"format": "csv"})
        assert api.content == (await http.get("/staff/exports/volunteers", params={"format": "csv"})).content
        outside = await http.get("/staff/exports/volunteers", params={"format": "csv", "area": "C21"})
        assert outside.status_code == 200 and "西一李四" not in outside.content.decode("utf-8-sig")
        xlsx_file = await http.get("/staff/exports/activities", params={"format": "xlsx", "from": "2026-01-01"})
        assert xlsx_file.status_code == 200 and openpyxl.load_workbook(io.BytesIO(xlsx_file.content))
        bad = await http.get("/staff/exports/activities", params={"from": "2026-13-45", "status": "published"})
        assert bad.status_code == 422 and "from" in bad.text and 'value="published" selected' in bad.text
        wrong_status = await http.get("/staff/exports/teams", params={"status": "withdrawn"})
        assert wrong_status.status_code == 422 and "状态" in wrong_status.text
        assert (await http.get("/staff/exports/nothing")).status_code == 404


# ---- in real Chromium ------------------------------------------------------------------------------------------


def sheet_file(name: str, content: bytes) -> FilePayload:
    return {
        "name": name,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": content,
    }


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_import_a_sheet_with_one_bad_row_in_chromium(app: Any, world: World, shots: Path, screen: str) -> None:
    """Upload, read the report, download the marked sheet, fix, check again, confirm; then an export."""
    require_chromium()
    bad, good = xlsx(BAD), xlsx(GOOD)  # one file each, as on a disk (openpyxl stamps the time into every file)
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(
            viewport=SCREENS[screen], locale="zh-CN", is_mobile=screen == "phone", accept_downloads=True
        )
        page = await context.new_page()
        await browser_login(page, base, "staff_c11", "/staff/imports")
        await page.select_option("#kind", "volunteers")
        await page.set_input_files("#file", sheet_file("名单.xlsx", bad))
        await page.click("button:has-text('上传并检查')")
        await page.wait_for_selector("#errors")
        assert "1380013" in await page.locator("tr[data-row='3']").inner_text()
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-import-report.png"), full_page=True)

        await page.set_input_files("#again", sheet_file("名单.xlsx", bad))
        async with page.expect_download() as waiting:
            await page.click("form.next-step button[name=format]")
        marked = await anyio.Path(await (await waiting.value).path()).read_bytes()
        book = openpyxl.load_workbook(io.BytesIO(marked)).active
        assert book is not None and "错误说明" in [c.value for c in book[1]]

        await page.set_input_files("#file", sheet_file("名单.xlsx", good))
        await page.click("button:has-text('上传并检查')")
        await page.wait_for_selector("text=检查通过")
        await page.set_input_files("#again", sheet_file("名单.xlsx", good))
        await page.click("button[name=dry_run][value=false]")
        await page.wait_for_selector("text=已写入 3 行")
        await page.screenshot(path=str(shots / f"{screen}-import-done.png"), full_page=True)
        assert await names() == {"张三", "李四", "王五"}

        await page.goto(f"{base}/staff/exports")
        await fits(page)
        await page.screenshot(path=str(shots / f"{screen}-exports.png"), full_page=True)
        async with page.expect_download() as waiting:
            await page.click("#export-volunteers button[value=csv]")
        download = await waiting.value
        assert download.suggested_filename.endswith(".csv")
        exported = (await anyio.Path(await download.path()).read_bytes()).decode("utf-8-sig")
        assert "张三" in exported and "王五" in exported
        await browser.close()
