"""Practice sites (阵地): centres, institutes, stations, book houses, schools, markets."""

from volunteers.venues.service import venue_for_write, venue_row

__all__ = ["venue_for_write", "venue_row"]
