"""Activities (活动), their categories, and the teams that organise them."""

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from volunteers.areas.tables import Area
from volunteers.teams.tables import Team
from volunteers.venues.tables import Venue

STATUSES = ("draft", "published", "completed", "cancelled")


class ActivityCategory(Table):
    """A kind of activity (读书分享会, 党建微课堂, 四会一课…): data, seeded and editable."""

    id = Serial(primary_key=True)
    code = Varchar(length=40, unique=True)
    name = Varchar(length=50, unique=True)
    is_active = Boolean(default=True)
    sort_order = Integer(default=0)


class Activity(Table):
    """An activity in an area, with its time window and check-in rules."""

    id = Serial(primary_key=True)
    title = Varchar(length=200)
    category = ForeignKey(ActivityCategory, on_delete=OnDelete.restrict, null=False)
    area = ForeignKey(Area, on_delete=OnDelete.restrict, index=True, null=False)
    venue = ForeignKey(Venue, on_delete=OnDelete.restrict, null=True, default=None, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer(null=True, default=None)
    status = Varchar(length=16, default="draft")
    # check-in rules (docs/architecture.md, "Check-in rules"); minutes unless named otherwise
    opens_before_minutes = Integer(default=30)
    closes_after_minutes = Integer(default=30)
    rounding_minutes = Integer(default=1)
    daily_cap_minutes = Integer(default=720)
    reentry_allowed = Boolean(default=False)
    approval = Varchar(length=8, default="auto")
    created_at = Timestamptz(default=TimestamptzNow())

    activity_ends_after_start = Check("ends_at > starts_at")
    activity_capacity_positive = Check("capacity IS NULL OR capacity > 0")
    activity_status_valid = Check("status IN ('draft', 'published', 'completed', 'cancelled')")
    activity_window_sane = Check("opens_before_minutes BETWEEN 0 AND 1440 AND closes_after_minutes BETWEEN 0 AND 1440")
    activity_rounding_sane = Check("rounding_minutes BETWEEN 1 AND 240")
    activity_cap_sane = Check("daily_cap_minutes BETWEEN 1 AND 1440")
    activity_approval_valid = Check("approval IN ('auto', 'staff')")


class ActivityTeam(Table):
    """A team organising an activity."""

    id = Serial(primary_key=True)
    activity = ForeignKey(Activity, on_delete=OnDelete.cascade, index=True, null=False)
    team = ForeignKey(Team, on_delete=OnDelete.restrict, index=True, null=False)

    activity_team_unique = Unique(["activity", "team"])
