"""Volunteers (志愿者): registration, status, search, and protected identity data."""

from volunteers.people.service import find_by_phone, register_volunteer

__all__ = ["find_by_phone", "register_volunteer"]
