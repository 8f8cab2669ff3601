"""Volunteers: registration, search, changes and status."""

from __future__ import annotations

from litestar import Controller, get, patch, post

from volunteers.access import Caller
from volunteers.fields import AreaQuery, Limit, Offset, PathId, SearchQuery
from volunteers.people import service
from volunteers.people.schemas import (
    ReinstateIn,
    Status,
    StatusChangeIn,
    VolunteerIn,
    VolunteerOut,
    VolunteerPage,
    VolunteerPatch,
)


class VolunteerController(Controller):
    path = "/volunteers"
    tags = ["volunteers"]

    @post("/", summary="Register a volunteer in an area you may write to")
    async def create(self, caller: Caller, data: VolunteerIn) -> VolunteerOut:
        return await service.register_volunteer(caller, data)

    @get(
        "/",
        summary="Volunteers in your subtree; search by name, volunteer number, phone or ID number",
        description=(
            "`q` matches a name (substring) or a volunteer number (exact). Callers who see whole phones also "
            "find a phone by its first 3+ digits and an ID number exactly; officials find a phone only by the "
            "whole number, and never by ID number. Each exact lookup of a hidden identifier is audited and "
            "limited per user and hour (429 `too_many_lookups`)."
        ),
    )
    async def index(
        self,
        caller: Caller,
        q: SearchQuery = None,
        area: AreaQuery = None,
        status: Status | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> VolunteerPage:
        items, total = await service.list_volunteers(caller, q=q, area=area, status=status, limit=limit, offset=offset)
        return VolunteerPage(items=items, total=total)

    @get("/{volunteer_id:int}")
    async def show(self, caller: Caller, volunteer_id: PathId) -> VolunteerOut:
        return await service.get_volunteer(caller, volunteer_id)

    @patch("/{volunteer_id:int}", summary="Change name, phone, area, ID number, gender, birth date or guardian")
    async def update(self, caller: Caller, volunteer_id: PathId, data: VolunteerPatch) -> VolunteerOut:
        return await service.update_volunteer(caller, volunteer_id, data)

    @post("/{volunteer_id:int}/suspend", status_code=200, summary="Suspend an active volunteer")
    async def suspend(self, caller: Caller, volunteer_id: PathId, data: StatusChangeIn) -> VolunteerOut:
        return await service.change_status(caller, volunteer_id, "suspend", data.on, data.reason)

    @post("/{volunteer_id:int}/withdraw", status_code=200, summary="Record that a volunteer has withdrawn")
    async def withdraw(self, caller: Caller, volunteer_id: PathId, data: StatusChangeIn) -> VolunteerOut:
        return await service.change_status(caller, volunteer_id, "withdraw", data.on, data.reason)

    @post("/{volunteer_id:int}/reinstate", status_code=200, summary="Make a suspended or withdrawn volunteer active")
    async def reinstate(self, caller: Caller, volunteer_id: PathId, data: ReinstateIn | None = None) -> VolunteerOut:
        return await service.change_status(caller, volunteer_id, "reinstate", data.on if data else None)


CONTROLLERS = [VolunteerController]
