"""Teams, their members, and the teams of one volunteer."""

from __future__ import annotations

from litestar import Controller, get, patch, post

from volunteers.access import Caller
from volunteers.fields import AreaQuery, Limit, Offset, PathId, SearchQuery
from volunteers.teams import service
from volunteers.teams.schemas import (
    LeaveIn,
    MembershipIn,
    MembershipOut,
    MembershipPage,
    MemberStatus,
    RolePatch,
    TeamIn,
    TeamOut,
    TeamPage,
    TeamPatch,
    TeamStatus,
)


class TeamController(Controller):
    path = "/teams"
    tags = ["teams"]

    @post("/", summary="Register a team in an area")
    async def create(self, caller: Caller, data: TeamIn) -> TeamOut:
        return await service.create_team(caller, data)

    @get("/", summary="Teams in your subtree; filter by area subtree, name/sponsor text and status")
    async def index(
        self,
        caller: Caller,
        area: AreaQuery = None,
        q: SearchQuery = None,
        status: TeamStatus | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> TeamPage:
        items, total = await service.list_teams(caller, area=area, q=q, status=status, limit=limit, offset=offset)
        return TeamPage(items=items, total=total)

    @get("/{team_id:int}")
    async def show(self, caller: Caller, team_id: PathId) -> TeamOut:
        return await service.get_team(caller, team_id)

    @patch("/{team_id:int}", summary="Change a team's details or status, or move it to another area")
    async def update(self, caller: Caller, team_id: PathId, data: TeamPatch) -> TeamOut:
        return await service.update_team(caller, team_id, data)

    @post("/{team_id:int}/members", summary="Add a volunteer to a team")
    async def add_member(self, caller: Caller, team_id: PathId, data: MembershipIn) -> MembershipOut:
        return await service.add_member(caller, team_id, data)

    @get("/{team_id:int}/members", summary="Members of a team: current (default), former or all")
    async def members(
        self,
        caller: Caller,
        team_id: PathId,
        status: MemberStatus = "current",
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> MembershipPage:
        items, total = await service.list_members(caller, team_id, status=status, limit=limit, offset=offset)
        return MembershipPage(items=items, total=total)

    @post("/{team_id:int}/members/{volunteer_id:int}/leave", status_code=200, summary="Record a member leaving")
    async def leave(
        self, caller: Caller, team_id: PathId, volunteer_id: PathId, data: LeaveIn | None = None
    ) -> MembershipOut:
        return await service.remove_member(caller, team_id, volunteer_id, data or LeaveIn())

    @patch("/{team_id:int}/members/{volunteer_id:int}", summary="Make a current member a leader or a member")
    async def change_role(
        self, caller: Caller, team_id: PathId, volunteer_id: PathId, data: RolePatch
    ) -> MembershipOut:
        return await service.change_role(caller, team_id, volunteer_id, data)


class VolunteerTeamsController(Controller):
    path = "/volunteers/{volunteer_id:int}/teams"
    tags = ["teams"]

    @get("/", summary="A volunteer's memberships in teams you can see: all (default), current or former")
    async def index(
        self,
        caller: Caller,
        volunteer_id: PathId,
        status: MemberStatus = "all",
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> MembershipPage:
        items, total = await service.teams_of_volunteer(caller, volunteer_id, status=status, limit=limit, offset=offset)
        return MembershipPage(items=items, total=total)


CONTROLLERS = [TeamController, VolunteerTeamsController]
