"""Request and response bodies for login and staff users."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta, Struct

from volunteers.fields import AreaCode

Username = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
Password = Annotated[
    str,
    Meta(
        min_length=8,
        max_length=200,
        description="至少 8 位；常见密码、含用户名、所属区域或本系统名称的密码会被拒绝（422）",
    ),
]
Role = Literal["admin", "staff", "official"]


class LoginIn(Struct, forbid_unknown_fields=True):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Annotated[str, Meta(min_length=1, max_length=200)]


class TokenOut(Struct):
    access_token: str
    token_type: str
    expires_at: datetime


class UserIn(Struct, forbid_unknown_fields=True):
    username: Username
    password: Password
    role: Role
    area_code: AreaCode | None = None


class UserPatch(Struct, forbid_unknown_fields=True):
    password: Password | None = None
    role: Role | None = None
    is_active: bool | None = None


class UserOut(Struct):
    id: int
    username: str
    role: str
    area_code: str | None
    is_active: bool


class UserPage(Struct):
    items: list[UserOut]
    total: int


class MeOut(Struct):
    username: str
    role: str
    area_code: str | None
