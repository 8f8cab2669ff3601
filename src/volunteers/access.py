"""Who is calling and what they may do: the caller, and the scope rule (an area subtree) for reads and writes."""

from __future__ import annotations

from dataclasses import dataclass

from volunteers.errors import Forbidden, NotFound


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

    def require_read(self, path: str | None, what: str = "记录") -> None:
        """Outside the subtree reads as absent (404), so nothing leaks."""
        if not self.covers(path):
            raise NotFound(f"{what}不存在")

    def require_write(self, path: str | None, what: str = "记录") -> None:
        """Writes need a writing role and an area inside the subtree (403 otherwise)."""
        if self.role == "official":
            raise Forbidden("统计查看账号只能查看，不能修改", code="read_only")
        if not self.covers(path):
            raise Forbidden(f"{what}不在您管辖的区域内，不能修改", code="outside_scope")

    def sees_whole_phone(self, path: str | None) -> bool:
        """Whole phone numbers only for staff and admins whose subtree holds the person's area; masked otherwise.

        A volunteer from elsewhere who checks in at one of the caller's activities stays a stranger's number.
        """
        return self.role != "official" and self.covers(path)

    @property
    def scope_prefix(self) -> str:
        """A LIKE prefix matching the caller's subtree paths."""
        return f"{self.area_path or '/'}%"
