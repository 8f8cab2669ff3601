"""First-timers on the check-in page: register on the spot, then check in."""

from __future__ import annotations

from volunteers import people
from volunteers.checkin import service
from volunteers.checkin.schemas import RegisterIn, ScanOut
from volunteers.errors import Invalid
from volunteers.fields import today
from volunteers.people.identity import normalise_phone
from volunteers.people.schemas import VolunteerIn


async def register_and_check_in(code: str, data: RegisterIn, client: str) -> ScanOut:
    """Register the phone's owner (if new, marked self-registered) and check them in."""
    if not data.consent:
        raise Invalid("请阅读并同意《志愿者个人信息使用说明》后再登记", field="consent", code="consent_required")
    phone = normalise_phone(data.phone)
    row = await service.activity_by_code(code)
    if row is not None and row["revoked_at"] is None and await people.find_by_phone(phone) is None:
        volunteer = VolunteerIn(
            name=data.name,
            phone=phone,
            area_code=data.area_code,
            birth_date=data.birth_date,
            registered_on=today(),
            guardian=data.guardian,
        )
        await people.register_volunteer(None, volunteer, self_registered=True)
    return await service.record_scan(
        action="in", method="link", code=code, phone=phone, nonce=data.nonce, client=client
    )
