"""Venues (阵地): practice centres, stations, book houses, schools, markets."""

from __future__ import annotations

from litestar import Controller, get, patch, post

from volunteers.access import Caller
from volunteers.fields import AreaQuery, Limit, Offset, PathId, SearchQuery
from volunteers.venues import service
from volunteers.venues.schemas import Kind, VenueIn, VenueOut, VenuePage, VenuePatch


class VenueController(Controller):
    path = "/venues"
    tags = ["venues"]

    @post("/", summary="Register a venue in an area of your subtree")
    async def create(self, caller: Caller, data: VenueIn) -> VenueOut:
        return await service.create_venue(caller, data)

    @get("/", summary="Venues in your subtree; filter by area (its subtree), kind, and text in name or address")
    async def index(
        self,
        caller: Caller,
        area: AreaQuery = None,
        kind: Kind | None = None,
        q: SearchQuery = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> VenuePage:
        items, total = await service.list_venues(caller, area=area, kind=kind, q=q, limit=limit, offset=offset)
        return VenuePage(items=items, total=total)

    @get("/{venue_id:int}")
    async def show(self, caller: Caller, venue_id: PathId) -> VenueOut:
        return await service.get_venue(caller, venue_id)

    @patch("/{venue_id:int}", summary="Change a venue's name, kind, address or area")
    async def update(self, caller: Caller, venue_id: PathId, data: VenuePatch) -> VenueOut:
        return await service.update_venue(caller, venue_id, data)


CONTROLLERS = [VenueController]
