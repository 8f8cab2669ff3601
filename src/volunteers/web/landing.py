"""The site's front door (/): what this site is, and links to the staff login, the workbench, the statistics
dashboard and the public pages. Public, no login; volunteers check in by scanning a poster, so the page
says so instead of offering a check-in link of its own."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from volunteers.web.session import HEADERS


class LandingPage(Controller):
    include_in_schema = False

    @get("/")
    async def landing(self) -> Template:
        return Template("landing.html", headers=HEADERS)


PAGES = [LandingPage]
