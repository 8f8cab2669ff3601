"""The area tree: district → street → community, and resident populations."""

from volunteers.areas.service import area_by_code, area_for_write

__all__ = ["area_by_code", "area_for_write"]
