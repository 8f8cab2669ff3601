"""Rules for the area tree and its populations."""

from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.custom_types import Combinable

from volunteers import access, audit
from volunteers.access import Caller
from volunteers.areas.schemas import AreaIn, AreaOut, AreaPatch, PopulationIn, PopulationOut
from volunteers.areas.tables import LEVELS, Area, AreaPopulation
from volunteers.errors import Conflict, Forbidden, Invalid
from volunteers.fields import check_day, today

# A population figure counted for `year` is dated within that year or the two after it (a census or
# yearbook appears later), and never after today.
POPULATION_AS_OF_YEARS = 2

_COLUMNS = (Area.id, Area.code, Area.name, Area.level, Area.parent.code.as_alias("parent_code"), Area.path)


async def _row(code: str) -> dict[str, Any] | None:
    return await Area.select(*_COLUMNS).where(Area.code == code).first()


async def area_by_code(code: str, field: str = "area_code") -> dict[str, Any]:
    """The area row for `code`, or a 422 naming the field that referred to it."""
    row = await _row(code)
    if row is None:
        raise Invalid(f"区域编码 {code} 不存在", field=field, code="unknown_area")
    return row


async def area_for_write(caller: Caller, code: str, field: str = "area_code") -> dict[str, Any]:
    """An area the caller may attach things to or change."""
    row = await area_by_code(code, field)
    caller.require_write(row["path"], "该区域")
    return row


async def get_area(caller: Caller, code: str) -> AreaOut:
    """One area in the caller's subtree."""
    return AreaOut(**access.readable(caller, await _row(code), f"区域 {code} 不存在", path="path"))


async def create_area(caller: Caller, data: AreaIn) -> AreaOut:
    """Add an area one level below its parent, inside the caller's subtree."""
    if data.parent_code is None:
        if data.level != "district":
            raise Invalid("只有区（district）可以没有上级区域", field="parent_code", code="parent_required")
        if not caller.is_system_admin:
            raise Forbidden("只有系统管理员可以创建顶级区域", code="outside_scope")
        parent_id, path = None, f"/{data.code}/"
    else:
        parent = await area_for_write(caller, data.parent_code, "parent_code")
        expected = LEVELS[LEVELS.index(parent["level"]) + 1] if parent["level"] != LEVELS[-1] else None
        if data.level != expected:
            raise Invalid(
                f"上级区域是{parent['level']}，下级应为 {expected or '（无，社区没有下级）'}，而不是 {data.level}",
                field="level",
                code="level_mismatch",
            )
        parent_id, path = parent["id"], f"{parent['path']}{data.code}/"
    if await Area.exists().where(Area.code == data.code):
        raise Conflict(f"区域编码 {data.code} 已存在", field="code", code="duplicate_code")
    async with Area._meta.db.transaction():
        rows = await Area.insert(
            Area(code=data.code, name=data.name, level=data.level, parent=parent_id, path=path)
        ).returning(Area.id)
        out = AreaOut(
            id=rows[0]["id"], code=data.code, name=data.name, level=data.level, parent_code=data.parent_code, path=path
        )
        await audit.record(caller, "create", "area", data.code, area_id=out.id, after=out)
    return out


async def update_area(caller: Caller, code: str, data: AreaPatch) -> AreaOut:
    """Rename an area."""
    row = access.writable(caller, await _row(code), f"区域 {code} 不存在", "该区域", hide_outside=True, path="path")
    before = AreaOut(**row)
    async with Area._meta.db.transaction():
        await Area.update({Area.name: data.name}).where(Area.id == before.id)
        after = await get_area(caller, code)
        await audit.record(caller, "update", "area", code, area_id=before.id, before=before, after=after)
    return after


async def list_areas(
    caller: Caller, *, parent: str | None, level: str | None, limit: int, offset: int
) -> tuple[list[AreaOut], int]:
    """Areas in the caller's subtree, optionally the children of `parent` or of one level."""
    where: Combinable = Area.path.like(caller.scope_prefix)
    if parent is not None:
        where = where & (Area.parent.code == parent)
    if level is not None:
        where = where & (Area.level == level)
    rows = await Area.select(*_COLUMNS).where(where).order_by(Area.path).limit(limit).offset(offset)
    return [AreaOut(**r) for r in rows], await Area.count().where(where)


def check_population_as_of(as_of: date, year: int) -> date:
    """`as_of` within `year` or the POPULATION_AS_OF_YEARS after it, and not after today (422 otherwise)."""
    latest = min(date(year + POPULATION_AS_OF_YEARS, 12, 31), today())
    return check_day(as_of, "as_of", f"{year} 年常住人口的统计日期", earliest=date(year, 1, 1), latest=latest)


async def set_population(caller: Caller, code: str, year: int, data: PopulationIn) -> PopulationOut:
    """Record (or correct) an area's resident population for a year.

    Only an admin of an area above may: one whose subtree holds the area but who is not scoped to the
    area itself (a system admin for a top-level area). The population is the denominator of the
    registration rate, so those whose work the area's figures measure do not set it. Officials only read.
    """
    caller.require_admin("常住人口只能由上级区域的管理员设置")  # before the lookup: staff learn nothing of areas
    area = await get_area(caller, code)
    if area.path == caller.area_path:
        raise Forbidden("常住人口只能由上级区域的管理员设置，不能设置本级区域的人口", code="parent_admin_only")
    if data.resident_population <= 0:
        raise Invalid("常住人口必须大于 0", field="resident_population", code="invalid_population")
    check_population_as_of(data.as_of, year)
    previous = await population_of(area.id, year)
    async with AreaPopulation._meta.db.transaction():
        if previous is None:
            await AreaPopulation.insert(
                AreaPopulation(
                    area=area.id,
                    year=year,
                    resident_population=data.resident_population,
                    source=data.source,
                    as_of=data.as_of,
                )
            )
        else:
            await AreaPopulation.update(
                {
                    AreaPopulation.resident_population: data.resident_population,
                    AreaPopulation.source: data.source,
                    AreaPopulation.as_of: data.as_of,
                }
            ).where((AreaPopulation.area == area.id) & (AreaPopulation.year == year))
        out = PopulationOut(area_code=code, year=year, **{f: getattr(data, f) for f in data.__struct_fields__})
        await audit.record(
            caller,
            "update" if previous else "create",
            "area_population",
            f"{code}/{year}",
            area_id=area.id,
            before=previous,
            after=out,
        )
    return out


async def population_of(area_id: int, year: int) -> dict[str, Any] | None:
    """The population row of one area and year, if recorded."""
    return await (
        AreaPopulation.select(
            AreaPopulation.year, AreaPopulation.resident_population, AreaPopulation.source, AreaPopulation.as_of
        )
        .where((AreaPopulation.area == area_id) & (AreaPopulation.year == year))
        .first()
    )


async def list_populations(caller: Caller, code: str) -> list[PopulationOut]:
    """All population rows of an area, newest year first."""
    area = await get_area(caller, code)
    rows = (
        await AreaPopulation.select(
            AreaPopulation.year, AreaPopulation.resident_population, AreaPopulation.source, AreaPopulation.as_of
        )
        .where(AreaPopulation.area == area.id)
        .order_by(AreaPopulation.year, ascending=False)
    )
    return [PopulationOut(area_code=code, **r) for r in rows]
