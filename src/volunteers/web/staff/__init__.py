"""The staff workbench (工作台): server-rendered pages for community and street staff, on the same services
as the JSON API (one rule, two doors). `frame.py` is what every page shares: the session, CSRF, the layout,
forms and refusals; each other module is one part of the work."""

from volunteers.web.staff.activities import ActivityPages
from volunteers.web.staff.areas import AreaPages
from volunteers.web.staff.attendance import AttendancePages
from volunteers.web.staff.exports import ExportPages
from volunteers.web.staff.home import HomePages
from volunteers.web.staff.hours import HoursPages
from volunteers.web.staff.hours_entry import HoursEntryPages
from volunteers.web.staff.imports import ImportPages
from volunteers.web.staff.teams import TeamPages
from volunteers.web.staff.users import UserPages
from volunteers.web.staff.venues import VenuePages
from volunteers.web.staff.volunteers import VolunteerPages

PAGES = [
    HomePages,
    ActivityPages,
    AttendancePages,
    HoursPages,
    HoursEntryPages,
    VolunteerPages,
    TeamPages,
    VenuePages,
    ImportPages,
    ExportPages,
    UserPages,
    AreaPages,
]

__all__ = ["PAGES"]
