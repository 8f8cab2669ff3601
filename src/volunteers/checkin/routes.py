"""Check-in API: codes, the public scan endpoint, attendance, and service records."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from volunteers.access import Caller
from volunteers.auth.throttle import address_key
from volunteers.checkin import records, service
from volunteers.checkin.refusals import REFUSALS, ScanRefused
from volunteers.checkin.schemas import (
    AttendanceOut,
    CloseOut,
    CodeOut,
    DecisionIn,
    ManualRecordIn,
    RecordOut,
    RecordPage,
    RegisterIn,
    ScanAnswer,
    ScanIn,
    ScanOut,
    StaffScanIn,
    StaffScanOut,
)
from volunteers.checkin.self_service import register_and_check_in
from volunteers.fields import Limit, Offset, PathId
from volunteers.limits import ScanLimits
from volunteers.people.identity import normalise_phone

CodePath = Annotated[str, Parameter(min_length=1, max_length=32)]
# The refusals a scan can meet (refusals.REFUSALS), and invalid input.
SCAN_REFUSALS = {"problems": tuple({refusal.status for refusal in REFUSALS.values()} | {422})}


def client_of(request: Request[Any, Any, Any]) -> str:
    """The caller's address, for rate limits and the scan log."""
    return request.client.host if request.client else "unknown"


async def check_limits(request: Request[Any, Any, Any], code: str, action: str, phone: str) -> None:
    """Refuse a scan over its budgets (limits.ScanLimits); what is refused here is tallied, not logged row by row.

    A spent address is refused whatever phone it sends: letting known volunteers' phones through would tell
    anyone at that address, one try at a time and for free, which numbers are registered.
    """
    limits: ScanLimits = request.app.state.scan_limits
    client = address_key(client_of(request))
    if limits.client_spent(client) or not limits.allow_phone(code, phone, client):
        await service.tally_rate_limited(code, client)
        raise ScanRefused(ScanAnswer(result="rate_limited", action=action))


async def public_scan(request: Request[Any, Any, Any], code: str, action: str, phone: str, nonce: str) -> ScanOut:
    """A check-in or check-out from a phone (JSON or page): the budgets, then the rules. Each refusal counts
    against the caller's address, so an address sending junk holds back only itself."""
    await check_limits(request, code, action, phone)
    try:
        return await service.record_link_scan(
            action=action, code=code, phone=phone, nonce=nonce, client=client_of(request)
        )
    except ScanRefused:
        request.app.state.scan_limits.charge_client(address_key(client_of(request)))
        raise


async def public_registration(request: Request[Any, Any, Any], code: str, data: RegisterIn) -> ScanOut:
    """An on-the-spot registration (JSON or page): the budgets, then self_service; each one counts against the
    caller's address whatever its outcome, since it may add a volunteer."""
    phone = normalise_phone(data.phone)
    try:
        await check_limits(request, code, "in", phone)
        return await register_and_check_in(code, data, client_of(request))
    finally:
        request.app.state.scan_limits.charge_client(address_key(client_of(request)))


class PublicCheckinController(Controller):
    """What the volunteer's phone calls: no staff login, a code and a nonce. The answers name nobody."""

    path = "/checkin"
    tags = ["check-in"]

    @post("/{code:str}", status_code=200, opt=SCAN_REFUSALS, summary="Check in or out by phone number (no login)")
    async def scan(self, request: Request[Any, Any, Any], code: CodePath, data: ScanIn) -> ScanOut:
        return await public_scan(request, code, data.action, normalise_phone(data.phone), data.nonce)

    @post(
        "/{code:str}/register",
        status_code=200,
        opt=SCAN_REFUSALS,
        summary="Register on the spot, then check in (no login; a phone already registered is answered alike)",
    )
    async def register(self, request: Request[Any, Any, Any], code: CodePath, data: RegisterIn) -> ScanOut:
        return await public_registration(request, code, data)


class CheckinCodeController(Controller):
    path = "/activities/{activity_id:int}"
    tags = ["check-in"]

    @post("/checkin-code", summary="Create or rotate the activity's check-in code (the old one stops at once)")
    async def rotate(self, caller: Caller, activity_id: PathId) -> CodeOut:
        return await service.rotate_code(caller, activity_id)

    @get("/checkin-code", summary="The activity's live check-in code and its links")
    async def show(self, caller: Caller, activity_id: PathId) -> CodeOut:
        return await service.live_code(caller, activity_id)

    @get("/attendance", summary="Who checked in, who is inside now, counters")
    async def attendance(self, caller: Caller, activity_id: PathId) -> AttendanceOut:
        return await service.attendance(caller, activity_id)

    @post("/attendance", status_code=200, summary="Check a volunteer in or out by hand (method staff, with reason)")
    async def staff_scan(
        self, request: Request[Any, Any, Any], caller: Caller, activity_id: PathId, data: StaffScanIn
    ) -> StaffScanOut:
        return await service.record_staff_scan(
            caller, activity_id, data.volunteer_id, data.action, data.reason, client_of(request)
        )

    @post(
        "/close",
        status_code=200,
        summary="Close the activity: missing exits closed at its end (or now, if closed early), pending",
    )
    async def close(self, caller: Caller, activity_id: PathId) -> CloseOut:
        return await service.close_activity(caller, activity_id)


class ServiceRecordController(Controller):
    path = "/service-records"
    tags = ["service records"]

    @post("/", summary="Enter service hours by hand (补录), pending until approved")
    async def create(self, caller: Caller, data: ManualRecordIn) -> RecordOut:
        return await records.create_manual(caller, data)

    @get("/", summary="Service records in your subtree")
    async def index(
        self,
        caller: Caller,
        activity: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
        volunteer: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
        status: Literal["pending", "approved", "rejected"] | None = None,
        source: Literal["checkin", "manual"] | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> RecordPage:
        items, total = await records.list_records(
            caller,
            activity_id=activity,
            volunteer_id=volunteer,
            status=status,
            source=source,
            limit=limit,
            offset=offset,
        )
        return RecordPage(items=items, total=total)

    @get("/{record_id:int}")
    async def show(self, caller: Caller, record_id: PathId) -> RecordOut:
        return await records.get_record(caller, record_id)

    @post("/{record_id:int}/approve", status_code=200)
    async def approve(self, caller: Caller, record_id: PathId) -> RecordOut:
        return await records.approve(caller, record_id)

    @post("/{record_id:int}/reject", status_code=200, summary="Reject with a reason")
    async def reject(self, caller: Caller, record_id: PathId, data: DecisionIn) -> RecordOut:
        return await records.reject(caller, record_id, data)


CONTROLLERS = [CheckinCodeController, ServiceRecordController]
PUBLIC_CONTROLLERS = [PublicCheckinController]
