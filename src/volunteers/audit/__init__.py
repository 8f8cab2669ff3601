"""The audit trail of every mutation."""

from volunteers.audit.service import list_entries, record

__all__ = ["list_entries", "record"]
