"""First-timers on the check-in page: register on the spot, then check in.

The form is public, so it must not become a way to learn whether a number is registered, to take over
someone's number, or to check its owner in under another name. A phone that is already a volunteer's
therefore registers nobody and checks nobody in, yet is answered exactly as a new one would be: the same
checks first (the whole registration is validated before the duplicate is noticed), then the same "ok".

The birth date is required (`RegisterIn`), though staff may register someone without one: the guardian rule
for minors turns on it, and on a public form a minor could otherwise skip the rule by leaving it empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from volunteers import db, people
from volunteers.checkin import service
from volunteers.checkin.schemas import RegisterIn, ScanAnswer, ScanOut
from volunteers.errors import Conflict, Invalid
from volunteers.fields import today
from volunteers.people.identity import normalise_phone
from volunteers.people.schemas import VolunteerIn


def district_prefix(activity: dict[str, Any]) -> str:
    """The LIKE prefix of the activity's district (the top of its area's path, `/code/…/`)."""
    return f"/{activity['area_path'].split('/')[1]}/%"


async def require_local_community(activity: dict[str, Any], area_code: str) -> None:
    """Self-registration is into a community of the activity's district only (422 on `area_code` otherwise)."""
    if await db.fetchrow("checkin/self_registration_area", area_code, district_prefix(activity)) is None:
        message = f"居住社区（area_code）{area_code} 不是本区的社区，请从列表中选择"
        raise Invalid(message, field="area_code", code="area_not_allowed")


async def register_and_check_in(code: str, data: RegisterIn, client: str) -> ScanOut:
    """Register the phone's owner (marked self-registered) and check them in, in one transaction; the
    answer is the same neutral one whether the phone was new or already registered (see module doc)."""
    if not data.consent:
        raise Invalid("请阅读并同意《志愿者个人信息使用说明》后再登记", field="consent", code="consent_required")
    phone = normalise_phone(data.phone)
    activity = await service.activity_by_code(code)
    live = activity is not None and activity["revoked_at"] is None
    if activity is not None and live:
        await require_local_community(activity, data.area_code)
    volunteer = VolunteerIn(
        name=data.name,
        phone=phone,
        area_code=data.area_code,
        birth_date=data.birth_date,
        registered_on=today(),
        guardian=data.guardian,
    )

    async def check_in(registration: service.Registration) -> ScanAnswer:
        return await service.link_scan_answer(
            action="in", code=code, phone=phone, nonce=data.nonce, client=client, registration=registration
        )

    async with db.engine().transaction():
        async with db.connection() as conn:
            # the same phone's registrations take turns (a double tap), so the second sees the first's volunteer
            await conn.execute(db.sql("checkin/hold_phone"), phone)
        registered = await _register_then_check_in(volunteer, check_in) if live else None
        answer = registered if registered is not None else await check_in("declined")
    return service.public_answer(answer)


class _Undo(Exception):
    """The check-in after a registration was refused: take the registration back."""


async def _register_then_check_in(
    volunteer: VolunteerIn, check_in: Callable[[service.Registration], Awaitable[ScanAnswer]]
) -> ScanAnswer | None:
    """Register and check in; None, with nothing left written, when the phone is already registered or the
    check-in is refused (the caller then answers as for any registration that registers nobody)."""
    try:
        async with _savepoint():
            await people.register_volunteer(None, volunteer, self_registered=True)
            answer = await check_in("new")
            if answer.result != "ok":
                raise _Undo
    except Conflict as taken:
        if taken.code != "duplicate_phone":
            raise
        return None
    except _Undo:
        return None
    return answer


@asynccontextmanager
async def _savepoint() -> AsyncIterator[None]:
    """A savepoint in the current transaction: an error inside rolls back to it and propagates."""
    async with db.connection() as conn, conn.transaction():
        yield
