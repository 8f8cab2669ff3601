"""Who is calling and what they may do: the one vocabulary every domain asks, instead of restating the rule.

The scope rule: a staff user's area covers its whole subtree and nothing else (a system user covers all).
- Reading a record outside the subtree reads as its absence (404), so nothing about it leaks: `readable`.
- Writing needs a writing role (officials only read: 403 read_only) and a record inside the subtree
  (403 outside_scope), or 404 where the record itself is hidden from the caller: `writable`.
- A record a request body names by id or code (`venue_id`, `area_code`…): absent is a 422 on that field, and
  the caller must be able to write it (403): `referable`; one that must only lie in the subtree: `within`.
- Roles: user management and the audit trail are for admins (`require_admin`), data every area shares for
  system admins (`require_system_admin`). Services ask these first, before looking anything up; routes
  only parse and call. (The staff API's router also refuses officials' writes up front: `require_writer`.)
Each domain keeps the lookup of its own row and passes it here with the words its refusals use.

What a caller may see of a person (the privacy rules) is the second half of this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from volunteers.errors import Forbidden, Invalid, NotFound
from volunteers.fields import age_on, today

Row = TypeVar("Row", bound=Mapping[str, Any])


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated staff user; `area_path` None means the whole system."""

    user_id: int
    username: str
    role: str
    area_id: int | None
    area_code: str | None
    area_path: str | None

    def covers(self, path: str | None) -> bool:
        """Whether the area at `path` lies in the caller's subtree."""
        if self.area_path is None:
            return True
        return path is not None and path.startswith(self.area_path)

    @property
    def is_system_admin(self) -> bool:
        """An admin of the whole system, not of one area."""
        return self.role == "admin" and self.area_path is None

    @property
    def scope_prefix(self) -> str:
        """A LIKE prefix matching the caller's subtree paths."""
        return f"{self.area_path or '/'}%"

    def require_read(self, path: str | None, what: str = "记录") -> None:
        """Outside the subtree reads as absent (404), so nothing leaks."""
        if not self.covers(path):
            raise NotFound(f"{what}不存在")

    def require_writer(self) -> None:
        """Officials (statistics accounts) only read (403 read_only)."""
        if self.role == "official":
            raise Forbidden("统计查看账号只能查看，不能修改", code="read_only")

    def require_write(self, path: str | None, what: str = "记录") -> None:
        """Writes need a writing role and an area inside the subtree (403 otherwise)."""
        self.require_writer()
        if not self.covers(path):
            raise Forbidden(f"{what}不在您管辖的区域内，不能修改", code="outside_scope")

    def require_admin(self, message: str = "只有管理员可以进行此操作") -> None:
        """Admins only (403 admin_only): user management, the audit trail."""
        if self.role != "admin":
            raise Forbidden(message, code="admin_only")

    def require_system_admin(self) -> None:
        """Admins of the whole system only (403 system_admin_only): data every area shares."""
        if not self.is_system_admin:
            raise Forbidden("只有系统管理员（不限区域）可以修改全区共用的数据", code="system_admin_only")


# ---- a record, as the caller asks for it -------------------------------------------------------
# `row` is the record as its domain looked it up (None: no such record); `path` names its area path column.


def readable(caller: Caller, row: Row | None, absent: str, *, path: str = "area_path", field: str | None = None) -> Row:
    """`row` if the caller may read it; absent or outside the subtree, the same 404 `absent` (on `field`, if named)."""
    if row is None or not caller.covers(row[path]):
        raise NotFound(absent, field=field)
    return row


def writable(
    caller: Caller, row: Row | None, absent: str, this: str, *, hide_outside: bool = False, path: str = "area_path"
) -> Row:
    """`row` if the caller may change it: absent → 404 `absent`; read-only role or outside → 403 (`this`: "该服务队").

    `hide_outside`: a record outside the subtree is first of all unreadable, so it answers 404 too.
    """
    if row is None or (hide_outside and not caller.covers(row[path])):
        raise NotFound(absent)
    caller.require_write(row[path], this)
    return row


def referable(
    caller: Caller, row: Row | None, this: str, *, field: str, code: str, unknown: str, path: str = "area_path"
) -> Row:
    """A record a request body names in `field`: absent → 422 `code` (`unknown`); it must be writable (403)."""
    if row is None:
        raise Invalid(unknown, field=field, code=code)
    caller.require_write(row[path], this)
    return row


def within(caller: Caller, row: Row | None, *, unknown: Invalid, outside: Forbidden, path: str = "area_path") -> Row:
    """A record a request body names that must lie in the caller's subtree (a volunteer to enrol, say)."""
    if row is None:
        raise unknown
    if not caller.covers(row[path]):
        raise outside
    return row


# ---- what a caller may see of a person ---------------------------------------------------------
# An ID-card number is 6 area digits (about 3,500 county codes in use), 8 birth-date digits, 3 sequence
# digits (the last one's parity is the gender) and a check character computed from the other 17. Staff see
# the birth date and gender, so what hides the number from them is area × sequence: 3,500 × 500 ≈ 1.75 × 10⁶
# candidates. Every ID character shown would divide that (the last four alone leave the area codes, a few
# hundred plausible ones), so no answer carries any character of it: only whether there is one.
#
# Officials (statistics) see neither whole phones nor birth dates: an age band instead, computed as of
# 1 January of this year (so it never moves on a birthday).

# (first age not in the band, label). 14: PIPL art. 31 (a child's data needs a guardian's consent);
# 18: majority (14–17 need a guardian by practice); 35: the usual upper edge of "youth" in volunteer
# statistics (青年志愿者), and a boundary of the census's five-year groups; 60: elderly (老年人权益保障法 art. 2).
AGE_BANDS: tuple[tuple[int, str], ...] = ((14, "未满14岁"), (18, "14–17岁"), (35, "18–34岁"), (60, "35–59岁"))
OLDEST_BAND = "60岁及以上"


def sees_personal_details(caller: Caller | None, area_path: str | None) -> bool:
    """Whole phones and birth dates (and searching by them): staff and admins whose subtree holds the area.

    A volunteer from elsewhere who checks in at one of the caller's activities stays a stranger's number.
    `caller` None is the system itself: the audit trail, and self-registration's own answer.
    """
    return caller is None or (caller.role != "official" and caller.covers(area_path))


def mask_phone(phone: str) -> str:
    """`138****8000`: the first 3 and last 4 digits."""
    return f"{phone[:3]}****{phone[-4:]}"


def phone_for(caller: Caller | None, phone: str, area_path: str | None) -> str:
    """A phone of someone living at `area_path`, whole or masked (`138****8000`) as `caller` may see it."""
    return phone if sees_personal_details(caller, area_path) else mask_phone(phone)


def age_band(birth_date: date | None, on: date | None = None) -> str | None:
    """The age band of someone born on `birth_date`, as of `on`; None without a birth date.

    By default as of 1 January of this year, not today: a band that changed on the birthday would tell
    someone who looks every day the exact birth date."""
    if birth_date is None:
        return None
    age = age_on(birth_date, on or date(today().year, 1, 1))
    return next((label for below, label in AGE_BANDS if age < below), OLDEST_BAND)
