"""Activities (活动) and their categories."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import Parameter

from volunteers.access import Caller
from volunteers.activities import categories, service
from volunteers.activities.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityPatch,
    CancelIn,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    Status,
)
from volunteers.fields import AreaQuery, IdQuery, Limit, Offset, PathId

_TIMES = "Datetimes are ISO 8601; one without a timezone is taken as Beijing time (UTC+8)."


class CategoryController(Controller):
    path = "/activity-categories"
    tags = ["activities"]

    @get("/", summary="Activity categories in display order (active ones unless include_inactive)")
    async def index(self, include_inactive: bool = False) -> list[CategoryOut]:
        return await categories.list_categories(include_inactive)

    @post("/", summary="Add an activity category (system admins)")
    async def create(self, caller: Caller, data: CategoryIn) -> CategoryOut:
        return await categories.create_category(caller, data)

    @patch("/{category_id:int}", summary="Rename, reorder, retire or restore a category (system admins)")
    async def update(self, caller: Caller, category_id: PathId, data: CategoryPatch) -> CategoryOut:
        return await categories.update_category(caller, category_id, data)


class ActivityController(Controller):
    path = "/activities"
    tags = ["activities"]

    @post("/", summary="Register a draft activity (a time without a timezone is Beijing time)", description=_TIMES)
    async def create(self, caller: Caller, data: ActivityIn) -> ActivityOut:
        return await service.create_activity(caller, data)

    @get(
        "/",
        summary="Activities in your subtree, newest start first",
        description="Filter by area (its subtree), team, venue, category (code or name), status, and Beijing "
        "dates: `from`/`to` keep activities that overlap those days.",
    )
    async def index(
        self,
        caller: Caller,
        area: AreaQuery = None,
        team: IdQuery = None,
        venue: IdQuery = None,
        category: Annotated[str | None, Parameter(max_length=50)] = None,
        status: Status | None = None,
        from_: Annotated[date | None, Parameter(query="from")] = None,
        to: date | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> ActivityPage:
        items, total = await service.list_activities(
            caller,
            area=area,
            team=team,
            venue=venue,
            category=category,
            status=status,
            from_=from_,
            to=to,
            limit=limit,
            offset=offset,
        )
        return ActivityPage(items=items, total=total)

    @get("/{activity_id:int}")
    async def show(self, caller: Caller, activity_id: PathId) -> ActivityOut:
        return await service.get_activity(caller, activity_id)

    @patch(
        "/{activity_id:int}",
        summary="Change a draft or published activity (a time without a timezone is Beijing time)",
        description=_TIMES,
    )
    async def update(self, caller: Caller, activity_id: PathId, data: ActivityPatch) -> ActivityOut:
        return await service.update_activity(caller, activity_id, data)

    @post("/{activity_id:int}/publish", status_code=200, summary="Publish a draft activity")
    async def publish(self, caller: Caller, activity_id: PathId) -> ActivityOut:
        return await service.change_status(caller, activity_id, "publish")

    @post("/{activity_id:int}/cancel", status_code=200, summary="Cancel a draft or published activity")
    async def cancel(self, caller: Caller, activity_id: PathId, data: CancelIn | None = None) -> ActivityOut:
        return await service.change_status(caller, activity_id, "cancel", data.reason if data else None)

    @post("/{activity_id:int}/complete", status_code=200, summary="Mark a published activity completed")
    async def complete(self, caller: Caller, activity_id: PathId) -> ActivityOut:
        return await service.change_status(caller, activity_id, "complete")


CONTROLLERS = [CategoryController, ActivityController]
