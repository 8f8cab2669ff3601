"""Volunteer teams (志愿服务队) and their memberships."""

from volunteers.teams.service import get_team, list_teams, teams_of_volunteer

__all__ = ["get_team", "list_teams", "teams_of_volunteer"]
