"""Practice sites (阵地): centres, stations, book houses, schools, markets…"""

from piccolo.columns import ForeignKey, Serial, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from volunteers.areas.tables import Area

KINDS = ("centre", "institute", "station", "book_house", "school", "market", "other")


class Venue(Table):
    """A place activities happen, in an area."""

    id = Serial(primary_key=True)
    name = Varchar(length=100)
    kind = Varchar(length=16)
    area = ForeignKey(Area, on_delete=OnDelete.restrict, index=True, null=False)
    address = Varchar(length=200, default="")

    venue_name_area_unique = Unique(["area", "name"])
    venue_kind_valid = Check("kind IN ('centre', 'institute', 'station', 'book_house', 'school', 'market', 'other')")
