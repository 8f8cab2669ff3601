"""Staff users, bearer tokens and area-scoped access."""

from volunteers.auth.access import Caller

__all__ = ["Caller"]
