"""Activity categories: one list for the whole district, read by everyone, changed by system admins."""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.columns import Column
from piccolo.custom_types import Combinable

from volunteers import audit
from volunteers.access import Caller
from volunteers.activities.schemas import CategoryIn, CategoryOut, CategoryPatch
from volunteers.activities.tables import ActivityCategory
from volunteers.errors import Conflict, Invalid, NotFound, register_constraint
from volunteers.fields import required_text

register_constraint("activity_category_code_key", 409, "duplicate_category", "code", "活动类别编码已存在")
register_constraint("activity_category_name_key", 409, "duplicate_category", "name", "活动类别名称已存在")

_CATEGORY_COLUMNS = (
    ActivityCategory.id,
    ActivityCategory.code,
    ActivityCategory.name,
    ActivityCategory.is_active,
    ActivityCategory.sort_order,
)


async def list_categories(include_inactive: bool) -> list[CategoryOut]:
    """The district's activity categories in display order."""
    query = ActivityCategory.select(*_CATEGORY_COLUMNS).order_by(ActivityCategory.sort_order, ActivityCategory.id)
    if not include_inactive:
        query = query.where(ActivityCategory.is_active.eq(True))
    return [CategoryOut(**r) for r in await query]


async def _category(category_id: int) -> CategoryOut:
    row = await ActivityCategory.select(*_CATEGORY_COLUMNS).where(ActivityCategory.id == category_id).first()
    if row is None:
        raise NotFound(f"活动类别 {category_id} 不存在")
    return CategoryOut(**row)


async def _refuse_duplicate_name(name: str, category_id: int | None = None) -> None:
    where: Combinable = ActivityCategory.name == name
    if category_id is not None:
        where = where & (ActivityCategory.id != category_id)
    if await ActivityCategory.exists().where(where):
        raise Conflict(f"活动类别名称「{name}」已存在", field="name", code="duplicate_category")


async def create_category(caller: Caller, data: CategoryIn) -> CategoryOut:
    """Add a category (system admins only)."""
    caller.require_system_admin()
    name = required_text(data.name, "name", "类别名称")
    if await ActivityCategory.exists().where(ActivityCategory.code == data.code):
        raise Conflict(f"活动类别编码 {data.code} 已存在", field="code", code="duplicate_category")
    await _refuse_duplicate_name(name)
    async with ActivityCategory._meta.db.transaction():
        rows = await ActivityCategory.insert(
            ActivityCategory(code=data.code, name=name, is_active=True, sort_order=data.sort_order)
        ).returning(ActivityCategory.id)
        out = await _category(rows[0]["id"])
        await audit.record(caller, "create", "activity_category", out.code, area_id=None, after=out)
    return out


async def update_category(caller: Caller, category_id: int, data: CategoryPatch) -> CategoryOut:
    """Rename, reorder, retire or restore a category (system admins only)."""
    caller.require_system_admin()
    before = await _category(category_id)
    changes: dict[Column | str, Any] = {}
    if data.name is not msgspec.UNSET:
        changes[ActivityCategory.name] = name = required_text(data.name, "name", "类别名称")
        await _refuse_duplicate_name(name, category_id)
    if data.is_active is not msgspec.UNSET:
        changes[ActivityCategory.is_active] = data.is_active
    if data.sort_order is not msgspec.UNSET:
        changes[ActivityCategory.sort_order] = data.sort_order
    if not changes:
        return before
    async with ActivityCategory._meta.db.transaction():
        await ActivityCategory.update(changes).where(ActivityCategory.id == category_id)
        after = await _category(category_id)
        await audit.record(caller, "update", "activity_category", after.code, area_id=None, before=before, after=after)
    return after


async def active_category_id(ref: str) -> int:
    """The id of the active category whose code (preferred) or Chinese name is `ref`."""
    ref = ref.strip()
    rows = await ActivityCategory.select(ActivityCategory.id, ActivityCategory.code, ActivityCategory.is_active).where(
        (ActivityCategory.code == ref) | (ActivityCategory.name == ref)
    )
    rows.sort(key=lambda r: r["code"] != ref)
    if not rows or not rows[0]["is_active"]:
        raise Invalid(f"活动类别「{ref}」不存在或已停用", field="category", code="unknown_category")
    category_id: int = rows[0]["id"]
    return category_id
