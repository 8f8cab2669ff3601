"""Staff users, bearer tokens and area-scoped access."""

from volunteers.access import Caller

__all__ = ["Caller"]
