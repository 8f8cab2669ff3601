"""Areas on the workbench, for admins (/staff/areas): the tree of my subtree, a child area, a new name, and the
resident population by year, which only an admin of the area above may set (the same rule as the API's PUT
population). Staff are refused (403 admin_only), as for user management. `area_options` is the area picker
the other pages share.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from volunteers.access import Caller
from volunteers.areas import service
from volunteers.areas.schemas import AreaIn, AreaOut, AreaPatch, PopulationIn
from volunteers.areas.tables import LEVELS
from volunteers.errors import DomainError, Invalid
from volunteers.fields import today
from volunteers.web.session import HEADERS
from volunteers.web.staff.frame import Form, StaffPages, fields_of, render, struct_from

LEVEL_NAMES = {"district": "区", "street": "街道", "community": "社区"}
MOST_AREAS = 1000  # a district has a few dozen; the tree shows at most this many
_ADMINS_ONLY = "区域管理只对管理员开放"


async def area_tree(caller: Caller) -> tuple[list[dict[str, Any]], int]:
    """The areas of the caller's subtree in tree order, each with its depth below the top one shown."""
    items, total = await service.list_areas(caller, parent=None, level=None, limit=MOST_AREAS, offset=0)
    top = min((a.path.count("/") for a in items), default=0)
    return [
        {
            **{f: getattr(a, f) for f in a.__struct_fields__},
            "depth": a.path.count("/") - top,
            "level_name": LEVEL_NAMES.get(a.level, a.level),
        }
        for a in items
    ], total


async def area_options(caller: Caller) -> list[dict[str, str]]:
    """The area picker: every area of the caller's subtree, indented under its parent."""
    tree, _ = await area_tree(caller)
    return [{"code": a["code"], "label": "　" * a["depth"] + f"{a['name']}（{a['code']}）"} for a in tree]


def _level_below(level: str) -> str | None:
    at = LEVELS.index(level)
    return LEVELS[at + 1] if at + 1 < len(LEVELS) else None


def _done(path: str, what: str) -> Redirect:
    return Redirect(f"{path}?done={what}", status_code=303, headers=HEADERS)


DONE = {
    "created": "已新建下级区域。",
    "renamed": "已保存新名称。",
    "population": "已保存常住人口。",
}


class AreaPages(StaffPages):
    @get("/staff/areas")
    async def tree(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        caller.require_admin(_ADMINS_ONLY)
        tree, total = await area_tree(caller)
        return render(request, caller, "areas.html", areas=tree, total=total, shown=len(tree))

    @get("/staff/areas/{code:str}")
    async def show(self, request: Request[Any, Any, Any], caller: Caller, code: str) -> Template:
        caller.require_admin(_ADMINS_ONLY)
        area = await service.get_area(caller, code[:32])
        return await self._page(request, caller, area, done=DONE.get(request.query_params.get("done", "")))

    @post("/staff/areas/new", status_code=303)
    async def create(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Template | Redirect:
        caller.require_admin(_ADMINS_ONLY)
        data = fields_of(form, ("code", "name", "level", "parent_code"))
        if "parent_code" not in data:  # the form lives on its parent's page; a top-level area is the API's job
            raise Invalid("请在上级区域的页面新建下级区域（parent_code）", field="parent_code", code="parent_required")
        try:
            created = await service.create_area(caller, struct_from(data, AreaIn))
        except DomainError as refused:
            if refused.status not in (409, 422):
                raise  # a parent outside the subtree: 403, as the API answers
            parent = await service.get_area(caller, str(data["parent_code"])[:32])
            return await self._page(request, caller, parent, child=data, error=refused, status=refused.status)
        return _done(f"/staff/areas/{created.code}", "created")

    @post("/staff/areas/{code:str}/rename", status_code=303)
    async def rename(
        self, request: Request[Any, Any, Any], caller: Caller, code: str, form: Form
    ) -> Template | Redirect:
        caller.require_admin(_ADMINS_ONLY)
        area = await service.get_area(caller, code[:32])
        data = fields_of(form, ("name",))
        try:
            await service.update_area(caller, area.code, struct_from(data, AreaPatch))
        except Invalid as refused:
            return await self._page(request, caller, area, rename=data, error=refused, status=422)
        return _done(f"/staff/areas/{area.code}", "renamed")

    @post("/staff/areas/{code:str}/population", status_code=303)
    async def population(
        self, request: Request[Any, Any, Any], caller: Caller, code: str, form: Form
    ) -> Template | Redirect:
        caller.require_admin("常住人口只能由上级区域的管理员设置")
        area = await service.get_area(caller, code[:32])
        data = fields_of(form, ("year", "resident_population", "source", "as_of"))
        try:
            year = _year(data.pop("year", ""))
            data.setdefault("source", "")
            await service.set_population(caller, area.code, year, struct_from(data, PopulationIn))
        except Invalid as refused:
            typed = {**data, "year": form.get("year", "")}
            return await self._page(request, caller, area, population=typed, error=refused, status=422)
        return _done(f"/staff/areas/{area.code}", "population")

    async def _page(
        self,
        request: Request[Any, Any, Any],
        caller: Caller,
        area: AreaOut,
        *,
        status: int = 200,
        error: DomainError | None = None,
        done: str | None = None,
        child: dict[str, Any] | None = None,
        rename: dict[str, Any] | None = None,
        population: dict[str, Any] | None = None,
    ) -> Template:
        children, _ = await service.list_areas(caller, parent=area.code, level=None, limit=MOST_AREAS, offset=0)
        this_year = today().year
        return render(
            request,
            caller,
            "area.html",
            status=status,
            area=area,
            level_name=LEVEL_NAMES.get(area.level, area.level),
            children=children,
            child_level=_level_below(area.level),
            level_names=LEVEL_NAMES,
            populations=await service.list_populations(caller, area.code),
            # the API's rule, said before the form is filled: an admin of this very area may not set it
            may_set_population=area.path != caller.area_path,
            error=error.message if error else None,
            error_field=error.field if error else None,
            done=done,
            child=child or {},
            rename=rename or {"name": area.name},
            population=population or {"year": str(this_year - 1), "as_of": date(this_year, 1, 1).isoformat()},
        )


def _year(text: Any) -> int:
    """The population's year from the form: 1949–2200, as the API's path allows."""
    if isinstance(text, str) and text.isdigit() and 1949 <= int(text) <= 2200:
        return int(text)
    raise Invalid("年份（year）应为 1949 至 2200 之间的年份，如 2025", field="year", code="invalid_year")
