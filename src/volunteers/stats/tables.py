"""Derived tables that make participation figures fast for any as-of date, and snapshots.

Per volunteer, `stats_refresh()` (sql/stats/functions.sql) keeps what the volunteer
contributes (registration dates, approved minutes per day, active intervals); per area it
keeps day-by-day deltas and sums, and the same per month, so a figure "as of D" is a sum over
the months before D's month plus the days of D's month up to D. Writes only
mark a volunteer dirty (triggers in sql/stats/triggers.sql); reads refresh first.
"""

from piccolo.columns import JSONB, BigInt, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from volunteers.auth.tables import StaffUser


class StatsDirty(Table):
    """Volunteers whose contributions must be recomputed before the next figure is read."""

    id = Serial(primary_key=True)
    volunteer = Integer(unique=True)


class StatsVolunteer(Table):
    """What a volunteer currently contributes to `stats_registered_delta`."""

    id = Serial(primary_key=True)
    volunteer = Integer(unique=True)
    area = Integer()
    registered_on = Date()
    withdrawn_on = Date(null=True, default=None)


class StatsVolunteerDay(Table):
    """A volunteer's approved minutes and records per service day, source and activity area."""

    id = Serial(primary_key=True)
    volunteer = Integer(index=True)
    area = Integer()
    place = Integer()
    day = Date()
    source = Varchar(length=8)
    minutes = Integer()
    records = Integer()


class StatsActiveInterval(Table):
    """Days on which a volunteer counts as active (default definition), as closed intervals."""

    id = Serial(primary_key=True)
    volunteer = Integer(index=True)
    area = Integer()
    starts = Date()
    ends = Date()


class StatsRegisteredDelta(Table):
    """Change in registered volunteers of one area on one day."""

    id = Serial(primary_key=True)
    area = Integer()
    day = Date()
    delta = Integer()

    stats_registered_delta_key = Unique(["area", "day"])


class StatsActiveDelta(Table):
    """Change in active volunteers (default definition) of one area on one day."""

    id = Serial(primary_key=True)
    area = Integer()
    day = Date()
    delta = Integer()

    stats_active_delta_key = Unique(["area", "day"])


class StatsAreaDay(Table):
    """Approved minutes and records per day and source, by the volunteers' residence area."""

    id = Serial(primary_key=True)
    area = Integer()
    day = Date()
    source = Varchar(length=8)
    minutes = BigInt()
    records = Integer()

    stats_area_day_key = Unique(["area", "day", "source"])


class StatsPlaceDay(Table):
    """Approved minutes and records per day and source, by the activity's area."""

    id = Serial(primary_key=True)
    area = Integer()
    day = Date()
    source = Varchar(length=8)
    minutes = BigInt()
    records = Integer()

    stats_place_day_key = Unique(["area", "day", "source"])


class StatsRegisteredMonth(Table):
    """stats_registered_delta summed per month (`month` is its first day): short prefix sums."""

    id = Serial(primary_key=True)
    area = Integer()
    month = Date()
    delta = Integer()

    stats_registered_month_key = Unique(["area", "month"])


class StatsActiveMonth(Table):
    """stats_active_delta summed per month."""

    id = Serial(primary_key=True)
    area = Integer()
    month = Date()
    delta = Integer()

    stats_active_month_key = Unique(["area", "month"])


class StatsAreaMonth(Table):
    """stats_area_day summed per month."""

    id = Serial(primary_key=True)
    area = Integer()
    month = Date()
    source = Varchar(length=8)
    minutes = BigInt()
    records = Integer()

    stats_area_month_key = Unique(["area", "month", "source"])


class StatsPlaceMonth(Table):
    """stats_place_day summed per month."""

    id = Serial(primary_key=True)
    area = Integer()
    month = Date()
    source = Varchar(length=8)
    minutes = BigInt()
    records = Integer()

    stats_place_month_key = Unique(["area", "month", "source"])


class StatsSnapshot(Table):
    """A frozen set of figures with the parameters, inputs and definition versions behind them."""

    id = Serial(primary_key=True)
    title = Varchar(length=200)
    area_code = Varchar(length=32)
    as_of = Date()
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = ForeignKey(StaffUser, on_delete=OnDelete.set_null, null=True, default=None)
    area_path = Varchar(length=400)
    body = JSONB()
