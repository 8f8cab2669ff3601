"""The workbench's activity form: the choices it offers (areas of the caller's subtree, the category list, the
venues and teams the caller may use), the values it shows back, and the API request it posts.

Field names are the API's (`ActivityIn` / `ActivityPatch`); the form's local date-times (`datetime-local`, the
district's wall clock) become the API's aware datetimes. What the form cannot know, the service decides.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import msgspec

from volunteers import db
from volunteers.access import Caller
from volunteers.activities.categories import list_categories
from volunteers.activities.schemas import ActivityIn, ActivityOut, ActivityPatch
from volunteers.activities.service import RANGES
from volunteers.areas.service import list_areas
from volunteers.fields import LOCAL_TZ
from volunteers.teams import list_teams
from volunteers.venues.service import list_venues
from volunteers.web.staff.frame import Form, struct_from

TEXT = ("title", "category", "area_code", "starts_at", "ends_at", "venue_id", "capacity", "approval")
RULES = ("opens_before_minutes", "closes_after_minutes", "rounding_minutes", "daily_cap_minutes")
TIMES = ("starts_at", "ends_at")
MOST_CHOICES = 1000  # areas, venues or teams offered in one picker (the demo district has about 60 teams)
TYPED_LENGTH = 400  # what is shown back of a typed value (the API refuses longer titles anyway)
_LOCAL_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


def api_defaults() -> dict[str, Any]:
    """The check-in rules a new activity gets when the form leaves them alone: the API's own defaults."""
    fields = msgspec.structs.fields(ActivityIn)
    return {f.name: f.default for f in fields if f.name in (*RULES, "reentry_allowed", "approval")}


def typed(form: Form) -> dict[str, Any]:
    """What the form holds, as typed (to show it again if it is refused)."""
    values: dict[str, Any] = {name: str(form.get(name, "")).strip()[:TYPED_LENGTH] for name in (*TEXT, *RULES)}
    values["team_ids"] = [str(t).strip()[:20] for t in form.getall("team_ids", []) if str(t).strip()][:200]
    values["reentry_allowed"] = form.get("reentry_allowed") == "true"
    return values


def blank(caller: Caller, choices: dict[str, Any]) -> dict[str, Any]:
    """The values of a new form: the caller's own area, the first category, the API's rules."""
    categories = choices["categories"]
    return {
        **{name: "" for name in TEXT},
        **{name: str(value) for name, value in api_defaults().items() if name in RULES},
        "category": categories[0]["code"] if categories else "",
        "area_code": caller.area_code or (choices["areas"][0]["code"] if choices["areas"] else ""),
        "approval": api_defaults()["approval"],
        "reentry_allowed": api_defaults()["reentry_allowed"],
        "team_ids": [],
    }


def shown(activity: ActivityOut) -> dict[str, Any]:
    """The values of an existing activity, as its form shows them."""
    values: dict[str, Any] = {name: str(getattr(activity, name)) for name in RULES}
    values.update(
        title=activity.title,
        category=activity.category,
        area_code=activity.area_code,
        starts_at=f"{activity.starts_at.astimezone(LOCAL_TZ):%Y-%m-%dT%H:%M}",
        ends_at=f"{activity.ends_at.astimezone(LOCAL_TZ):%Y-%m-%dT%H:%M}",
        venue_id=str(activity.venue_id or ""),
        capacity=str(activity.capacity or ""),
        approval=activity.approval,
        reentry_allowed=activity.reentry_allowed,
        team_ids=[str(t) for t in activity.team_ids],
    )
    return values


def aware(text: str) -> str:
    """A `datetime-local` value (the district's clock) as the API's aware datetime; anything else as it is,
    for the service to explain."""
    if not _LOCAL_MOMENT.fullmatch(text):
        return text
    try:
        return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ).isoformat()
    except ValueError:
        return text


def _request_fields(values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {name: values[name] for name in (*TEXT, *RULES) if values[name] != ""}
    for name in TIMES:
        if name in data:
            data[name] = aware(data[name])
    data["team_ids"] = values["team_ids"]
    data["reentry_allowed"] = values["reentry_allowed"]
    return data


def create_request(values: dict[str, Any]) -> ActivityIn:
    """The API's request to create the activity (blank rules take the API's defaults); a 422 names the field."""
    return struct_from(_request_fields(values), ActivityIn)


def patch_request(values: dict[str, Any], current: ActivityOut) -> ActivityPatch:
    """The API's request to change the activity. Every plain field is sent (a blank one is refused, or clears the
    capacity); the references (category, area, venue, teams) only when changed, so that a retired category or a
    dissolved team an activity already has does not stop its other fields from being edited."""
    data = _request_fields(values)
    for name in (*TIMES, *RULES, "title"):
        data.setdefault(name, "")
    data["capacity"] = data.get("capacity")
    data["venue_id"] = data.get("venue_id")
    if data.get("category") in (current.category, current.category_name):
        del data["category"]
    if data.get("area_code") == current.area_code:
        del data["area_code"]
    if data["venue_id"] == (str(current.venue_id) if current.venue_id is not None else None):
        del data["venue_id"]
    if sorted(set(data["team_ids"])) == sorted(str(t) for t in current.team_ids):
        del data["team_ids"]
    return struct_from(data, ActivityPatch)


async def choices(caller: Caller, current: ActivityOut | None = None) -> dict[str, Any]:
    """The pickers' options: areas of the caller's subtree (indented by level), active categories, the venues
    and active teams the caller may use, each with its area's name; and what the activity already has."""
    areas, _ = await list_areas(caller, parent=None, level=None, limit=MOST_CHOICES, offset=0)
    names = {a.code: a.name for a in areas}
    depth = min((a.path.count("/") for a in areas), default=0)
    area_options = [{"code": a.code, "name": a.name, "indent": a.path.count("/") - depth} for a in areas]
    categories = await list_categories(include_inactive=False)
    venues, _ = await list_venues(caller, area=None, kind=None, q=None, limit=MOST_CHOICES, offset=0)
    teams, _ = await list_teams(caller, area=None, q=None, status="active", limit=MOST_CHOICES, offset=0)
    venue_options = [{"id": v.id, "name": v.name, "area": names.get(v.area_code, "")} for v in venues]
    team_options = [{"id": t.id, "name": t.name, "area": names.get(t.area_code, "")} for t in teams]
    team_options.sort(key=lambda t: (t["area"], t["name"]))
    category_options = [{"code": c.code, "name": c.name} for c in categories]
    if current is not None:  # keep what the activity has, even where the caller could not pick it today
        if current.category not in {c["code"] for c in category_options}:
            category_options.append({"code": current.category, "name": f"{current.category_name}（已停用）"})
        if current.venue_id is not None and current.venue_id not in {v["id"] for v in venue_options}:
            venue_options.append({"id": current.venue_id, "name": current.venue_name or "", "area": ""})
        known = {t["id"] for t in team_options}
        for team in await db.fetch("web/activity_teams", current.id):
            if team["id"] not in known:
                gone = "（已解散）" if team["status"] != "active" else ""
                team_options.append({"id": team["id"], "name": f"{team['name']}{gone}", "area": team["area_name"]})
    return {
        "areas": area_options,
        "categories": category_options,
        "venues": venue_options,
        "teams": team_options,
        "rule_labels": {name: RANGES[name][2] for name in RULES},
        "defaults": api_defaults(),
    }
