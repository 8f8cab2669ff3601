"""Venues (阵地) on the workbench (/staff/venues): list, register, view and edit, as /api/v1/venues does.

The kind is picked from the API's list (`venues.schemas.Kind`) by its Chinese label; the pages call
`venues.service`, so names stay unique per area and a venue outside the caller's subtree is not there (404).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from msgspec import Struct

from volunteers.access import Caller
from volunteers.fields import PathId
from volunteers.venues import service as venues
from volunteers.venues.schemas import KIND_LABELS, Kind, VenueIn, VenueOut, VenuePatch
from volunteers.web.staff.frame import Form, StaffPages, fields_of, render, struct_from
from volunteers.web.staff.lists import (
    FORM_REFUSALS,
    PAGE_SIZE,
    AreaFilter,
    Offset,
    Refusal,
    SearchText,
    area_choices,
    area_names,
    parse_filters,
    registry_list,
    typed_values,
)

VENUE_FIELDS = ("name", "kind", "area_code", "address")
DONE = {"created": "阵地已登记。", "saved": "修改已保存。", "unchanged": "没有修改任何内容。"}


class VenueFilters(Struct, forbid_unknown_fields=True):
    """GET /api/v1/venues's query parameters, with its limits."""

    q: SearchText | None = None
    area: AreaFilter | None = None
    kind: Kind | None = None
    offset: Offset = 0


def venue_values(venue: VenueOut) -> dict[str, str]:
    return {"name": venue.name, "kind": venue.kind, "area_code": venue.area_code, "address": venue.address}


async def form_page(
    request: Request[Any, Any, Any],
    caller: Caller,
    template: str,
    values: dict[str, str],
    error: Refusal | None = None,
    **more: Any,
) -> Template:
    areas = await area_choices(caller)
    context = {"values": values, "error": error, "areas": areas, "area_names": area_names(areas), "kinds": KIND_LABELS}
    return render(request, caller, template, status=error.status if error else 200, **context, **more)


class VenuePages(StaffPages):
    path = "/staff/venues"

    @get("/")
    async def index(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        filters, typed, refusal = parse_filters(request, VenueFilters)
        found: tuple[list[VenueOut], int] = ([], 0)
        if refusal is None:
            found = await venues.list_venues(
                caller, area=filters.area, kind=filters.kind, q=filters.q, limit=PAGE_SIZE, offset=filters.offset
            )
        error = Refusal.of(refusal) if refusal else None
        context = await registry_list(caller, "/staff/venues", typed, filters.offset, found, error)
        context.update(venues=found[0], kinds=KIND_LABELS)
        return render(request, caller, "venues.html", status=refusal.status if refusal else 200, **context)

    @get("/new")
    async def new(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        return await form_page(request, caller, "venue_new.html", {})

    @post("/", status_code=303)
    async def create(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Template | Redirect:
        try:
            created = await venues.create_venue(caller, struct_from(fields_of(form, VENUE_FIELDS), VenueIn))
        except FORM_REFUSALS as refused:
            typed = typed_values(form, VENUE_FIELDS)
            return await form_page(request, caller, "venue_new.html", typed, Refusal.of(refused))
        return Redirect(f"/staff/venues/{created.id}?done=created", status_code=303)

    @get("/{venue_id:int}")
    async def show(self, request: Request[Any, Any, Any], caller: Caller, venue_id: PathId) -> Template:
        venue = await venues.get_venue(caller, venue_id)
        done = DONE.get(request.query_params.get("done") or "")
        return await form_page(request, caller, "venue.html", venue_values(venue), venue=venue, done=done)

    @post("/{venue_id:int}", status_code=303)
    async def update(
        self, request: Request[Any, Any, Any], caller: Caller, form: Form, venue_id: PathId
    ) -> Template | Redirect:
        venue = await venues.get_venue(caller, venue_id)
        typed = typed_values(form, VENUE_FIELDS)
        # Only what differs is sent (PATCH semantics), so a second submit of the same form changes nothing.
        changed = {name: value for name, value in typed.items() if value != venue_values(venue)[name]}
        if not changed:
            return Redirect(f"/staff/venues/{venue_id}?done=unchanged", status_code=303)
        try:
            await venues.update_venue(caller, venue_id, struct_from(changed, VenuePatch))
        except FORM_REFUSALS as refused:
            error = Refusal.of(refused)
            return await form_page(request, caller, "venue.html", typed, error, venue=venue, done=None)
        return Redirect(f"/staff/venues/{venue_id}?done=saved", status_code=303)
