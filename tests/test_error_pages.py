"""A browser that meets an error on a page gets a page in Chinese with the same status, never JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served

SCREENS = {"phone": {"width": 360, "height": 640}, "desktop": {"width": 1366, "height": 768}}
TOO_LONG_CODE = "x" * 40  # a check-in code is at most 32 characters: a 400 before any handler runs


async def test_an_api_client_still_gets_problem_details(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/c/{TOO_LONG_CODE}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("screen", list(SCREENS))
async def test_a_page_error_is_a_friendly_page(app: Any, shots: Path, screen: str) -> None:
    require_chromium()
    async with served(app) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport=SCREENS[screen])  # type: ignore[arg-type]
        response = await page.goto(f"{base}/c/{TOO_LONG_CODE}")
        assert response is not None and response.status == 400
        assert response.headers["content-type"].startswith("text/html")
        assert await page.locator("[role=alert]").inner_text() == "提交的内容有误"
        assert "格式不正确" in await page.content()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        await page.screenshot(path=str(shots / f"{screen}-error-page.png"), full_page=True)
        await browser.close()
