"""Staff accounts on the workbench, for admins (/staff/users): the users of my subtree, a new staff or
statistics account with a role and an area picker, a password reset and deactivation. Everything goes
through `auth.service`, so the API's rules hold here too: admins only (403 admin_only), an area admin
never sees the system administrator or anyone outside the subtree (404), passwords are checked for strength.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from volunteers.access import Caller
from volunteers.auth import service
from volunteers.auth.schemas import UserIn, UserOut, UserPatch
from volunteers.errors import DomainError
from volunteers.web.session import HEADERS, ROLES
from volunteers.web.staff.areas import area_options
from volunteers.web.staff.frame import Form, StaffPages, fields_of, render, struct_from

PAGE_SIZE = 50
DONE = {
    "created": "账号已创建，请把用户名和初始密码当面或电话告知本人。",
    "password": "密码已重置：此账号原有的登录已全部退出。",
    "deactivated": "账号已停用：此账号原有的登录已全部退出，不能再登录。",
    "activated": "账号已恢复，可以重新登录。",
}


def _offset(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 9 else 0


def _id(user_id: int) -> int:
    """An id from the path; one past what the database holds is no account (404), not an error."""
    return user_id if 0 < user_id <= 2**31 - 1 else 0


class UserPages(StaffPages):
    @get("/staff/users")
    async def index(self, request: Request[Any, Any, Any], caller: Caller) -> Template:
        return await self._list(request, caller)

    @post("/staff/users/new", status_code=303)
    async def create(self, request: Request[Any, Any, Any], caller: Caller, form: Form) -> Template | Redirect:
        caller.require_admin()
        data = fields_of(form, ("username", "password", "role", "area_code"))
        try:
            created = await service.create_user(caller, struct_from(data, UserIn))
        except DomainError as refused:
            if refused.status not in (409, 422):
                raise  # an area outside the subtree: 403, as the API answers
            typed = {k: v for k, v in data.items() if k != "password"}  # a password is never sent back
            return await self._list(request, caller, typed=typed, error=refused, status=refused.status)
        return Redirect(f"/staff/users/{created.id}?done=created", status_code=303, headers=HEADERS)

    @get("/staff/users/{user_id:int}")
    async def show(self, request: Request[Any, Any, Any], caller: Caller, user_id: int) -> Template:
        user = await service.get_user(caller, _id(user_id))
        return self._user(request, caller, user, done=DONE.get(request.query_params.get("done", "")))

    @post("/staff/users/{user_id:int}/password", status_code=303)
    async def password(
        self, request: Request[Any, Any, Any], caller: Caller, user_id: int, form: Form
    ) -> Template | Redirect:
        return await self._change(request, caller, user_id, fields_of(form, ("password",)), "password")

    @post("/staff/users/{user_id:int}/deactivate", status_code=303)
    async def deactivate(
        self, request: Request[Any, Any, Any], caller: Caller, user_id: int, form: Form
    ) -> Template | Redirect:
        return await self._change(request, caller, user_id, {"is_active": False}, "deactivated")

    @post("/staff/users/{user_id:int}/activate", status_code=303)
    async def activate(
        self, request: Request[Any, Any, Any], caller: Caller, user_id: int, form: Form
    ) -> Template | Redirect:
        return await self._change(request, caller, user_id, {"is_active": True}, "activated")

    async def _change(
        self, request: Request[Any, Any, Any], caller: Caller, user_id: int, data: dict[str, Any], done: str
    ) -> Template | Redirect:
        """One PATCH of the API: a refusal about the input shows the account again with the message."""
        user_id = _id(user_id)
        try:
            await service.update_user(caller, user_id, struct_from(data, UserPatch))
        except DomainError as refused:
            if refused.status != 422:
                raise
            user = await service.get_user(caller, user_id)
            return self._user(request, caller, user, error=refused, status=422)
        return Redirect(f"/staff/users/{user_id}?done={done}", status_code=303, headers=HEADERS)

    async def _list(
        self,
        request: Request[Any, Any, Any],
        caller: Caller,
        *,
        typed: dict[str, Any] | None = None,
        error: DomainError | None = None,
        status: int = 200,
    ) -> Template:
        offset = _offset(request.query_params.get("offset"))
        users, total = await service.list_users(caller, PAGE_SIZE, offset)  # admins only: staff get 403 here
        return render(
            request,
            caller,
            "users.html",
            status=status,
            users=users,
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
            roles=ROLES,
            areas=await area_options(caller),
            whole_system=caller.is_system_admin,
            typed=typed or {"role": "staff", "area_code": caller.area_code or ""},
            error=error.message if error else None,
            error_field=error.field if error else None,
        )

    def _user(
        self,
        request: Request[Any, Any, Any],
        caller: Caller,
        user: UserOut,
        *,
        done: str | None = None,
        error: DomainError | None = None,
        status: int = 200,
    ) -> Template:
        return render(
            request,
            caller,
            "user.html",
            status=status,
            account=user,
            role_name=ROLES.get(user.role, user.role),
            own=user.id == caller.user_id,
            done=done,
            error=error.message if error else None,
            error_field=error.field if error else None,
        )
