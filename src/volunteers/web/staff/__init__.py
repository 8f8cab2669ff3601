"""The staff workbench (工作台): server-rendered pages for community and street staff, on the same services
as the JSON API (one rule, two doors). `frame.py` is what every page shares: the session, CSRF, the layout,
forms and refusals; each other module is one part of the work."""

from volunteers.web.staff.attendance import AttendancePages
from volunteers.web.staff.frame import StaffPages
from volunteers.web.staff.home import HomePages
from volunteers.web.staff.hours import HoursPages
from volunteers.web.staff.hours_entry import HoursEntryPages

PAGES: list[type[StaffPages]] = [HomePages]
PAGES += [AttendancePages]
PAGES += [HoursPages, HoursEntryPages]

__all__ = ["PAGES"]
