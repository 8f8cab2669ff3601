"""Activities (活动), their categories, organising teams and status."""

from volunteers.activities.service import activity_for_write

__all__ = ["activity_for_write"]
