"""Areas: the district tree and populations."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post, put
from litestar.params import Parameter

from volunteers.access import Caller
from volunteers.areas import service
from volunteers.areas.schemas import AreaIn, AreaOut, AreaPage, AreaPatch, Level, PopulationIn, PopulationOut
from volunteers.fields import AreaQuery, Limit, Offset

CodePath = Annotated[str, Parameter(max_length=32)]
Year = Annotated[int, Parameter(ge=1949, le=2200)]


class AreaController(Controller):
    path = "/areas"
    tags = ["areas"]

    @post("/", summary="Create an area one level below its parent")
    async def create(self, caller: Caller, data: AreaIn) -> AreaOut:
        return await service.create_area(caller, data)

    @get("/", summary="Areas in your subtree; filter by parent code and level")
    async def index(
        self,
        caller: Caller,
        parent: AreaQuery = None,
        level: Level | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> AreaPage:
        items, total = await service.list_areas(caller, parent=parent, level=level, limit=limit, offset=offset)
        return AreaPage(items=items, total=total)

    @get("/{code:str}")
    async def show(self, caller: Caller, code: CodePath) -> AreaOut:
        return await service.get_area(caller, code)

    @patch("/{code:str}", summary="Rename an area")
    async def update(self, caller: Caller, code: CodePath, data: AreaPatch) -> AreaOut:
        return await service.update_area(caller, code, data)

    @get("/{code:str}/children", summary="The direct children of an area")
    async def children(self, caller: Caller, code: CodePath, limit: Limit = 50, offset: Offset = 0) -> AreaPage:
        await service.get_area(caller, code)
        items, total = await service.list_areas(caller, parent=code, level=None, limit=limit, offset=offset)
        return AreaPage(items=items, total=total)

    @put("/{code:str}/population/{year:int}", summary="Set the resident population of an area for a year")
    async def set_population(self, caller: Caller, code: CodePath, year: Year, data: PopulationIn) -> PopulationOut:
        return await service.set_population(caller, code, year, data)

    @get("/{code:str}/population", summary="Population rows of an area")
    async def populations(self, caller: Caller, code: CodePath) -> list[PopulationOut]:
        return await service.list_populations(caller, code)


CONTROLLERS = [AreaController]
