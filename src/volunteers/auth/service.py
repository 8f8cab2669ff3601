"""Passwords, tokens and staff users."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY
from piccolo.custom_types import Combinable

from volunteers import access, audit
from volunteers.access import Caller
from volunteers.areas import service as areas
from volunteers.auth import throttle
from volunteers.auth.authentication import token_hash
from volunteers.auth.passwords import refuse_weak_password
from volunteers.auth.schemas import TokenOut, UserIn, UserOut, UserPatch
from volunteers.auth.tables import LoginKnownAddress, StaffSession, StaffUser
from volunteers.errors import Conflict, Forbidden, Invalid, Unauthorized
from volunteers.settings import get_settings

# A hash to verify against when the username is unknown, so timing does not tell.
_DUMMY_PASSWORD = "not-a-real-password"


@cache
def _hasher() -> PasswordHasher:
    profile = CHEAPEST if get_settings().fast_password_hashing else RFC_9106_LOW_MEMORY
    return PasswordHasher.from_parameters(profile)


async def hash_password(password: str) -> str:
    """Argon2id hash, computed off the event loop."""
    return await anyio.to_thread.run_sync(_hasher().hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches; never raises for a wrong or malformed hash."""

    def check() -> bool:
        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


@cache
def _dummy_hash() -> str:
    return _hasher().hash(_DUMMY_PASSWORD)


async def login(username: str, password: str, *, address: str) -> TokenOut:
    """Exchange a username and password for a bearer token; repeated failures are throttled."""
    attempt = await throttle.count_attempt(username, address)
    user = await StaffUser.objects().where(StaffUser.username == username).first()
    stored = user.password_hash if user is not None and user.is_active else _dummy_hash()
    if not await verify_password(stored, password) or user is None or not user.is_active:
        raise Unauthorized("用户名或密码错误", code="bad_credentials")
    await throttle.login_succeeded(username, address, attempt)
    token = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + timedelta(hours=get_settings().token_ttl_hours)
    await StaffSession.insert(StaffSession(user=user.id, token_hash=token_hash(token), expires_at=expires_at))
    return TokenOut(access_token=token, token_type="bearer", expires_at=expires_at)


async def logout(token: str) -> None:
    """Revoke the token at once."""
    await StaffSession.update({StaffSession.revoked_at: datetime.now(UTC)}).where(
        (StaffSession.token_hash == token_hash(token)) & StaffSession.revoked_at.is_null()
    )


def _area_words(area: Mapping[str, object] | None) -> tuple[str, ...]:
    """What a guesser would try from the account's area: its code and its name."""
    if area is None:
        return ()
    return tuple(str(area[k]) for k in ("code", "name") if area.get(k))


def _check_role_and_area(role: str, area_path: str | None) -> None:
    if role != "admin" and area_path is None:
        raise Invalid("工作人员和统计查看账号必须指定所属区域", field="area_code", code="area_required")


async def create_user(caller: Caller | None, data: UserIn) -> UserOut:
    """Create a staff user inside the caller's subtree (admins only; `caller` None: the CLI)."""
    if caller is not None:
        caller.require_admin()
    area = await areas.area_by_code(data.area_code) if data.area_code else None
    area_path = area["path"] if area else None
    _check_role_and_area(data.role, area_path)
    if caller is not None:
        if area_path is None and not caller.is_system_admin:
            raise Forbidden("只有系统管理员可以创建全区账号", code="outside_scope")
        caller.require_write(area_path, "账号所属区域")
    if await StaffUser.exists().where(StaffUser.username == data.username):
        raise Conflict(f"用户名 {data.username} 已被使用", code="duplicate_username", field="username")
    await refuse_weak_password(data.password, username=data.username, context=_area_words(area))
    async with StaffUser._meta.db.transaction():
        row = await StaffUser.insert(
            StaffUser(
                username=data.username,
                password_hash=await hash_password(data.password),
                role=data.role,
                area=area["id"] if area else None,
            )
        ).returning(StaffUser.id)
        out = UserOut(id=row[0]["id"], username=data.username, role=data.role, area_code=data.area_code, is_active=True)
        await audit.record(caller, "create", "staff_user", out.id, area_id=area["id"] if area else None, after=out)
    return out


async def _user_in_scope(caller: Caller, user_id: int) -> dict[str, object]:
    row = await (
        StaffUser.select(
            StaffUser.id,
            StaffUser.username,
            StaffUser.role,
            StaffUser.is_active,
            StaffUser.area.id.as_alias("area_id"),
            StaffUser.area.code.as_alias("area_code"),
            StaffUser.area.name.as_alias("area_name"),
            StaffUser.area.path.as_alias("area_path"),
        )
        .where(StaffUser.id == user_id)
        .first()
    )
    # A user of the whole system (no area) lies in no area's subtree: only system admins see them.
    return access.readable(caller, row, "账号不存在")


def _user_out(row: dict[str, object]) -> UserOut:
    return UserOut(
        id=int(row["id"]),  # type: ignore[call-overload]
        username=str(row["username"]),
        role=str(row["role"]),
        area_code=row["area_code"] if isinstance(row["area_code"], str) else None,
        is_active=bool(row["is_active"]),
    )


async def get_user(caller: Caller, user_id: int) -> UserOut:
    """One user in the caller's subtree (admins only)."""
    caller.require_admin()
    return _user_out(await _user_in_scope(caller, user_id))


async def list_users(caller: Caller, limit: int, offset: int) -> tuple[list[UserOut], int]:
    """Users in the caller's subtree (admins only)."""
    caller.require_admin()
    where: Combinable = StaffUser.id > 0
    if caller.area_path is not None:
        where = where & StaffUser.area.path.like(caller.scope_prefix)
    rows = (
        await StaffUser.select(
            StaffUser.id,
            StaffUser.username,
            StaffUser.role,
            StaffUser.is_active,
            StaffUser.area.code.as_alias("area_code"),
        )
        .where(where)
        .order_by(StaffUser.id)
        .limit(limit)
        .offset(offset)
    )
    return [_user_out(r) for r in rows], await StaffUser.count().where(where)


async def update_user(caller: Caller, user_id: int, patch: UserPatch) -> UserOut:
    """Change a user's password, role or active flag; deactivating revokes their tokens (admins only)."""
    caller.require_admin()
    row = await _user_in_scope(caller, user_id)
    before = _user_out(row)
    role = patch.role or before.role
    if user_id == caller.user_id and (patch.is_active is False or role != before.role):
        # An admin could otherwise lock themself out, down to the last system administrator.
        field = "is_active" if patch.is_active is False else "role"
        raise Invalid("不能停用自己的账号或更改自己的角色，请由其他管理员操作", field=field, code="own_account")
    _check_role_and_area(role, row["area_path"])  # type: ignore[arg-type]
    values: dict[object, object] = {StaffUser.role: role}
    if patch.is_active is not None:
        values[StaffUser.is_active] = patch.is_active
    if patch.password is not None:
        area = {"code": row["area_code"], "name": row["area_name"]}
        await refuse_weak_password(patch.password, username=before.username, context=_area_words(area))
        values[StaffUser.password_hash] = await hash_password(patch.password)
    async with StaffUser._meta.db.transaction():
        await StaffUser.update(values).where(StaffUser.id == user_id)  # type: ignore[arg-type]
        if patch.is_active is False or patch.password is not None:
            await StaffSession.update({StaffSession.revoked_at: datetime.now(UTC)}).where(
                (StaffSession.user == user_id) & StaffSession.revoked_at.is_null()
            )
        if patch.password is not None:
            # A new password (after a suspected leak, say) also ends the exemptions the old one earned.
            await LoginKnownAddress.delete().where(LoginKnownAddress.username == throttle.username_key(before.username))
        after = await get_user(caller, user_id)
        await audit.record(caller, "update", "staff_user", user_id, area_id=row["area_id"], before=before, after=after)  # type: ignore[arg-type]
    return after
