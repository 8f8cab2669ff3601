"""Volunteer teams (志愿服务队) and their members."""

from piccolo.columns import Array, Date, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from volunteers.areas.tables import Area
from volunteers.people.tables import Volunteer


class Team(Table):
    """A team, registered in an area and sponsored by a unit (department, school, company…)."""

    id = Serial(primary_key=True)
    name = Varchar(length=100)
    area = ForeignKey(Area, on_delete=OnDelete.restrict, index=True, null=False)
    sponsor = Varchar(length=100)
    founded_on = Date(null=True, default=None)
    categories = Array(base_column=Varchar(length=50), default=list)
    status = Varchar(length=16, default="active")
    created_at = Timestamptz(default=TimestamptzNow())

    team_name_area_unique = Unique(["area", "name"])
    team_status_valid = Check("status IN ('active', 'dissolved')")


class Membership(Table):
    """A volunteer in a team from `joined_on` until `left_on` (open while NULL)."""

    id = Serial(primary_key=True)
    team = ForeignKey(Team, on_delete=OnDelete.restrict, index=True, null=False)
    volunteer = ForeignKey(Volunteer, on_delete=OnDelete.restrict, index=True, null=False)
    role = Varchar(length=16, default="member")
    joined_on = Date()
    left_on = Date(null=True, default=None)

    membership_role_valid = Check("role IN ('member', 'leader')")
    membership_dates_ordered = Check("left_on IS NULL OR left_on >= joined_on")
