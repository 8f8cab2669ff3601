"""The areas a statistics query counts: the area asked for, its children, and its own row (本级)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from volunteers import access
from volunteers.access import Caller
from volunteers.areas.tables import Area
from volunteers.stats.schemas import AreaRef


@dataclass(frozen=True)
class Target:
    """An area counted with its subtree, or (own) with no area below it."""

    id: int
    code: str
    name: str
    level: str
    path: str
    own: bool = False

    @property
    def ref(self) -> AreaRef:
        name = f"{self.name}（本级）" if self.own else self.name
        return AreaRef(code=self.code, name=name, level=self.level, own_only=self.own)

    @property
    def subtree(self) -> str:
        """The LIKE pattern of the area's paths and every path below it."""
        return f"{self.path}%"


async def readable_area(caller: Caller, code: str) -> Target:
    """The area named by `code`, if the caller may read it."""
    row = await Area.select(Area.id, Area.code, Area.name, Area.level, Area.path).where(Area.code == code).first()
    return Target(**access.readable(caller, row, f"区域 {code} 不存在", path="path", field="area"))


async def children_of(target: Target) -> list[Target]:
    rows = (
        await Area.select(Area.id, Area.code, Area.name, Area.level, Area.path)
        .where(Area.parent == target.id)
        .order_by(Area.path)
    )
    return [Target(**r) for r in rows]


async def breakdown_of(area: Target, breakdown: bool) -> list[Target]:
    """With a breakdown: each child area, then the area's own row; without: nothing."""
    if not breakdown:
        return []
    return [*await children_of(area), dataclasses.replace(area, own=True)]
