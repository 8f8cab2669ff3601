"""Areas (行政区划) and their resident populations."""

from piccolo.columns import Date, ForeignKey, Integer, Serial, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Check, Unique
from piccolo.table import Table

LEVELS = ("district", "street", "community")


class Area(Table):
    """A node of the district → street → community tree; `path` is `/code/…/code/`."""

    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    level = Varchar(length=16)
    parent: ForeignKey["Area"] = ForeignKey("self", on_delete=OnDelete.restrict, null=True, default=None)
    path = Varchar(length=400, unique=True)

    area_level_valid = Check("level IN ('district', 'street', 'community')")
    area_code_valid = Check("code ~ '^[A-Za-z0-9-]{1,32}$'")


class AreaPopulation(Table):
    """Resident population (常住人口) of an area for one year, with its source."""

    id = Serial(primary_key=True)
    area = ForeignKey(Area, on_delete=OnDelete.cascade, index=True, null=False)
    year = Integer()
    resident_population = Integer()
    source = Varchar(length=200)
    as_of = Date()

    population_area_year_unique = Unique(["area", "year"])
    population_positive = Check("resident_population > 0")
    population_year_sane = Check("year BETWEEN 1949 AND 2200")
