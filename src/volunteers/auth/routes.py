"""Login, logout, and staff user management."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post

from volunteers.access import Caller
from volunteers.auth import service
from volunteers.auth.schemas import LoginIn, MeOut, TokenOut, UserIn, UserOut, UserPage, UserPatch
from volunteers.fields import Limit, Offset, PathId


class LoginController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/token",
        status_code=200,
        opt={"problems": (401, 429)},  # wrong credentials; too many failures
        summary="Log in: username and password for a bearer token",
    )
    async def token(self, request: Request[Any, Any, Any], data: LoginIn) -> TokenOut:
        address = request.client.host if request.client else "unknown"
        return await service.login(data.username, data.password, address=address)


class SessionController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/logout", status_code=204, opt={"any_role": True}, summary="Revoke the token used for this call")
    async def logout(self, request: Request[Caller, str, Any]) -> None:
        await service.logout(request.auth)

    @get("/me", summary="Who the token belongs to")
    async def me(self, caller: Caller) -> MeOut:
        return MeOut(username=caller.username, role=caller.role, area_code=caller.area_code)


class UserController(Controller):
    """Admins only: the service refuses anyone else (403 admin_only)."""

    path = "/users"
    tags = ["users"]
    opt = {"problems": (403,)}

    @post("/", summary="Create a staff user in your subtree")
    async def create(self, caller: Caller, data: UserIn) -> UserOut:
        return await service.create_user(caller, data)

    @get("/", summary="Staff users in your subtree")
    async def index(self, caller: Caller, limit: Limit = 50, offset: Offset = 0) -> UserPage:
        items, total = await service.list_users(caller, limit, offset)
        return UserPage(items=items, total=total)

    @get("/{user_id:int}")
    async def show(self, caller: Caller, user_id: PathId) -> UserOut:
        return await service.get_user(caller, user_id)

    @patch("/{user_id:int}", summary="Change password, role or active flag")
    async def update(self, caller: Caller, user_id: PathId, data: UserPatch) -> UserOut:
        return await service.update_user(caller, user_id, data)


CONTROLLERS = [SessionController, UserController]
