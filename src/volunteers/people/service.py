"""Rules for registering volunteers, changing them, and finding them.

Status: active → suspended → active (reinstate), and active/suspended → withdrawn.
Withdrawal is final: a withdrawn record cannot be edited, suspended or withdrawn again;
only `reinstate` brings it back (to active, clearing the suspension and withdrawal dates;
the audit trail keeps them).

Every answer, and every before/after in the audit trail, goes through `disclosure.volunteer_view`;
searching goes through `search.search_for`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any, Literal

import asyncpg
import msgspec
from msgspec import UNSET, UnsetType
from piccolo.custom_types import Combinable

from volunteers import access, audit, db
from volunteers.access import Caller
from volunteers.areas import area_by_code, area_for_write
from volunteers.areas.tables import Area
from volunteers.errors import Conflict, Invalid
from volunteers.fields import check_day, today
from volunteers.people.disclosure import volunteer_view
from volunteers.people.identity import IdFacts, encrypt_id_number, id_number_hash, normalise_phone, validate_id_number
from volunteers.people.rules import (
    CONTROL_CHARS,
    birth_and_gender,
    check_birth_dates,
    check_guardian,
    check_name,
    refuse_if_withdrawn,
)
from volunteers.people.schemas import GuardianIn, VolunteerIn, VolunteerOut, VolunteerPatch
from volunteers.people.search import admit_lookup, charge_id_lookups, record_lookup, search_for
from volunteers.people.tables import Volunteer

StatusAction = Literal["suspend", "withdraw", "reinstate"]

_COLUMNS = (
    Volunteer.id,
    Volunteer.volunteer_no,
    Volunteer.name,
    Volunteer.phone,
    Volunteer.id_number_hash,  # answers show only whether there is one (has_id_number)
    Volunteer.gender,
    Volunteer.birth_date,
    Volunteer.area.as_alias("area_id"),
    Volunteer.area.code.as_alias("area_code"),
    Volunteer.area.path.as_alias("area_path"),
    Volunteer.registered_on,
    Volunteer.status,
    Volunteer.suspended_on,
    Volunteer.withdrawn_on,
    Volunteer.consent_on,
    Volunteer.guardian_name,
    Volunteer.guardian_phone,
    Volunteer.guardian_consent_on,
    Volunteer.self_registered,
)

# Unique constraint (as named in the database) -> the field, code and message staff see.
DUPLICATES = {
    "volunteer_phone_key": ("phone", "duplicate_phone", "该手机号已登记为志愿者，不能重复登记"),
    "volunteer_id_number_hash_key": ("id_number", "duplicate_id_number", "该身份证号已登记为志愿者，不能重复登记"),
}


# ---- reading ----------------------------------------------------------------------------


async def _row(volunteer_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    query = Volunteer.select(*_COLUMNS).where(Volunteer.id == volunteer_id)
    if lock:
        query = query.lock_rows(of=(Volunteer,))
    row: dict[str, Any] | None = await query.first()
    return row


async def get_volunteer(caller: Caller, volunteer_id: int) -> VolunteerOut:
    """One volunteer in the caller's subtree."""
    return volunteer_view(access.readable(caller, await _row(volunteer_id), "志愿者不存在"), caller)


async def find_by_phone(phone: str) -> dict[str, Any] | None:
    """The volunteer with this mobile number (any format `normalise_phone` accepts), or None."""
    try:
        normalised = normalise_phone(phone)
    except Invalid:
        return None
    row = await db.fetchrow("people/by_phone", normalised)
    return dict(row) if row is not None else None


async def list_volunteers(
    caller: Caller, *, q: str | None, area: str | None, status: str | None, limit: int, offset: int
) -> tuple[list[VolunteerOut], int]:
    """Volunteers in the caller's subtree, optionally in one area's subtree, of one status, matching `q`.

    `q` matches as `people.search.search_for` says; an exact lookup of a hidden identifier is counted
    against the caller's hourly budget and audited, in the transaction that runs it.
    """
    where: Combinable = Volunteer.area.path.like(caller.scope_prefix)
    if area is not None:
        chosen = await Area.select(Area.path).where(Area.code == area).first()
        if chosen is None:
            return [], 0
        where = where & Volunteer.area.path.like(f"{chosen['path']}%")
    if status is not None:
        where = where & (Volunteer.status == status)
    search = search_for(caller, q.strip()) if q is not None and q.strip() else None
    if search is not None:
        where = where & search.condition
    async with Volunteer._meta.db.transaction():
        if search is not None and search.lookup is not None:
            await admit_lookup(caller)
        rows = await Volunteer.select(*_COLUMNS).where(where).order_by(Volunteer.id).limit(limit).offset(offset)
        total = await Volunteer.count().where(where)
        if search is not None and search.lookup is not None:
            await record_lookup(caller, search.lookup, [r["id"] for r in rows])
    return [volunteer_view(r, caller) for r in rows], total


async def _refuse_duplicates(phone: str, id_hash: str | None, except_id: int | None = None) -> None:
    """A friendly answer before the insert; the unique constraints still decide races."""
    others: Combinable = Volunteer.id != (except_id or 0)
    if await Volunteer.exists().where(others & (Volunteer.phone == phone)):
        raise _duplicate("volunteer_phone_key")
    if id_hash is not None and await Volunteer.exists().where(others & (Volunteer.id_number_hash == id_hash)):
        raise _duplicate("volunteer_id_number_hash_key")


def _duplicate(constraint: str) -> Conflict:
    field, code, message = DUPLICATES[constraint]
    return Conflict(message, field=field, code=code)


@asynccontextmanager
async def _duplicates_as_conflict(caller: Caller | None, id_hash: str | None) -> AsyncIterator[None]:
    """Around a write: a clash on phone or ID number, the friendly check's or a lost race's, ends in the same 409.

    A 409 on the ID number tells the caller that the number (`id_hash`) is on file for someone else, so a write
    that sets one is charged as `search.charge_id_lookups` says: refused (429) while the caller's exact ID
    lookups are spent, whether or not the number is on file, and a clash counted as one lookup, in a
    transaction of its own after the write's has been rolled back, before the 409 is given.
    """
    if id_hash is not None:
        await charge_id_lookups(caller, (), compared=True)
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        constraint = getattr(exc, "constraint_name", None) or ""
        if constraint not in DUPLICATES:
            raise
        clash = _duplicate(constraint)
    except Conflict as exc:
        if exc.code != "duplicate_id_number":
            raise
        clash = exc
    else:
        return
    if clash.code == "duplicate_id_number" and id_hash is not None:
        await charge_id_lookups(caller, [id_hash])
    raise clash from None


def _requested_id_hash(number: str | UnsetType | None) -> str | None:
    """The keyed hash of the ID number a change sets, if it is a valid one (an invalid one is refused anyway)."""
    if not isinstance(number, str):
        return None
    try:
        return id_number_hash(validate_id_number(number).number)
    except Invalid:
        return None


def _identity_columns(facts: IdFacts | None) -> dict[str, Any]:
    """What is stored of an ID number: ciphertext and keyed hash (or nothing).

    No masked form: beside the stored birth date it would be the whole number in clear, in every backup.
    """
    if facts is None:
        return {"cipher": None, "hash": None}
    return {"cipher": encrypt_id_number(facts.number), "hash": id_number_hash(facts.number)}


# ---- writing ------------------------------------------------------------------------------


async def register_volunteer(
    caller: Caller | None, data: VolunteerIn, *, self_registered: bool = False
) -> VolunteerOut:
    """Register a volunteer; `caller` None is self-registration (the area must only exist)."""
    if caller is None:
        area = await area_by_code(data.area_code)
    else:
        area = await area_for_write(caller, data.area_code)
    name = check_name(data.name)
    phone = normalise_phone(data.phone)
    facts = validate_id_number(data.id_number) if data.id_number is not None else None
    registered_on = check_day(data.registered_on or today(), "registered_on", "注册日期")
    consent_on = check_day(data.consent_on or registered_on, "consent_on", "同意日期")
    birth_date, gender = birth_and_gender(
        (facts.birth_date, facts.gender) if facts else None, data.birth_date, data.gender
    )
    check_birth_dates(birth_date, registered_on)
    guardian = check_guardian(data.guardian, birth_date, registered_on)
    identity = _identity_columns(facts)
    async with _duplicates_as_conflict(caller, identity["hash"]):
        await _refuse_duplicates(phone, identity["hash"])
        async with Volunteer._meta.db.transaction():
            inserted = await db.fetchrow(
                "people/insert_volunteer",
                name,
                phone,
                identity["cipher"],
                identity["hash"],
                gender,
                birth_date,
                area["id"],
                registered_on,
                consent_on,
                guardian.name if guardian else None,
                guardian.phone if guardian else None,
                guardian.consent_on if guardian else None,
                self_registered,
            )
            assert inserted is not None  # INSERT … RETURNING always yields the row
            row = await _row(inserted["id"])
            assert row is not None
            await audit.record(
                caller, "create", "volunteer", row["id"], area_id=area["id"], after=volunteer_view(row, None)
            )
    return volunteer_view(row, caller)


async def _writable(caller: Caller, volunteer_id: int) -> dict[str, Any]:
    """The volunteer's row, locked for this transaction; 404 if absent, 403 outside the subtree."""
    return access.writable(caller, await _row(volunteer_id, lock=True), "志愿者不存在", "该志愿者")


async def update_volunteer(caller: Caller, volunteer_id: int, data: VolunteerPatch) -> VolunteerOut:
    """Change the fields sent, with the same rules as registration."""
    async with (
        _duplicates_as_conflict(caller, _requested_id_hash(data.id_number)),
        Volunteer._meta.db.transaction(),
    ):
        before = await _writable(caller, volunteer_id)
        refuse_if_withdrawn(before)
        changes = await _patched_columns(caller, before, data)
        await Volunteer.update(changes).where(Volunteer.id == volunteer_id)
        after = await _row(volunteer_id)
        assert after is not None
        await audit.record(
            caller,
            "update",
            "volunteer",
            volunteer_id,
            area_id=after["area_id"],
            before=volunteer_view(before, None),
            after=volunteer_view(after, None),
        )
    return volunteer_view(after, caller)


async def _patched_columns(caller: Caller, row: dict[str, Any], data: VolunteerPatch) -> dict[Any, Any]:
    """The column values after applying `data` to `row`, checked as a whole."""
    changes: dict[Any, Any] = {}
    if data.area_code is not UNSET and data.area_code != row["area_code"]:
        changes[Volunteer.area] = (await area_for_write(caller, data.area_code))["id"]
    name = check_name(data.name) if data.name is not UNSET else row["name"]
    phone = normalise_phone(data.phone) if data.phone is not UNSET else row["phone"]

    facts: IdFacts | None = None
    from_id: tuple[date, str] | None = None
    if data.id_number is UNSET:
        if row["id_number_hash"] is not None and row["birth_date"] and row["gender"]:
            from_id = (row["birth_date"], row["gender"])
    elif data.id_number is not None:
        facts = validate_id_number(data.id_number)
        from_id = (facts.birth_date, facts.gender)
    if data.id_number is not UNSET:
        identity = _identity_columns(facts)
        changes[Volunteer.id_number_cipher] = identity["cipher"]
        changes[Volunteer.id_number_hash] = identity["hash"]

    # A new ID number replaces what the old record said unless the request says otherwise.
    kept_birth, kept_gender = (None, None) if facts else (row["birth_date"], row["gender"])
    birth_date, gender = birth_and_gender(
        from_id,
        data.birth_date if data.birth_date is not UNSET else kept_birth,
        data.gender if data.gender is not UNSET else kept_gender,
    )
    check_birth_dates(birth_date, row["registered_on"])

    current_guardian = None
    if row["guardian_name"] is not None:
        current_guardian = GuardianIn(row["guardian_name"], row["guardian_phone"], row["guardian_consent_on"])
    guardian = check_guardian(
        data.guardian if data.guardian is not UNSET else current_guardian, birth_date, row["registered_on"]
    )
    await _refuse_duplicates(phone, changes.get(Volunteer.id_number_hash), except_id=row["id"])
    changes |= {
        Volunteer.name: name,
        Volunteer.phone: phone,
        Volunteer.birth_date: birth_date,
        Volunteer.gender: gender,
        Volunteer.guardian_name: guardian.name if guardian else None,
        Volunteer.guardian_phone: guardian.phone if guardian else None,
        Volunteer.guardian_consent_on: guardian.consent_on if guardian else None,
    }
    return changes


# Action -> (statuses it may start from, status it leads to).
_TRANSITIONS: dict[StatusAction, tuple[tuple[str, ...], str]] = {
    "suspend": (("active",), "suspended"),
    "withdraw": (("active", "suspended"), "withdrawn"),
    "reinstate": (("suspended", "withdrawn"), "active"),
}

_REFUSALS = {
    ("suspend", "suspended"): ("already_suspended", "该志愿者已处于暂停状态"),
    ("suspend", "withdrawn"): ("volunteer_withdrawn", "该志愿者已退出，不能暂停；如需恢复请先 reinstate"),
    ("withdraw", "withdrawn"): ("already_withdrawn", "该志愿者已退出"),
    ("reinstate", "active"): ("already_active", "该志愿者当前正常在册，无需恢复"),
}


async def change_status(
    caller: Caller, volunteer_id: int, action: StatusAction, on: date | None, reason: str | None = None
) -> VolunteerOut:
    """Suspend, withdraw or reinstate a volunteer as of `on` (reinstate: default today)."""
    sources, target = _TRANSITIONS[action]
    day = on or today()
    if reason is not None and CONTROL_CHARS.search(reason.replace("\n", "").replace("\r", "").replace("\t", "")):
        raise Invalid("原因（reason）不能包含控制字符", field="reason", code="invalid_reason")
    async with Volunteer._meta.db.transaction():
        before = await _writable(caller, volunteer_id)
        if before["status"] not in sources:
            code, message = _REFUSALS[(action, before["status"])]
            raise Conflict(message, field="status", code=code)
        _check_status_date(before, day)
        await Volunteer.update(
            {
                Volunteer.status: target,
                Volunteer.suspended_on: day if target == "suspended" else None,
                Volunteer.withdrawn_on: day if target == "withdrawn" else None,
            }
        ).where(Volunteer.id == volunteer_id)
        after = await _row(volunteer_id)
        assert after is not None
        await audit.record(
            caller,
            action,
            "volunteer",
            volunteer_id,
            area_id=after["area_id"],
            before=volunteer_view(before, None),
            after={**msgspec.to_builtins(volunteer_view(after, None)), "on": day.isoformat(), "reason": reason},
        )
    return volunteer_view(after, caller)


def _check_status_date(row: dict[str, Any], day: date) -> None:
    """Not in the future, not before registration, not before the state it ends began."""
    check_day(day, "on", "日期")
    if day < row["registered_on"]:
        raise Invalid(f"日期（on）{day} 早于注册日期 {row['registered_on']}", field="on", code="before_registration")
    began = row["suspended_on"] or row["withdrawn_on"]
    if began is not None and day < began:
        raise Invalid(f"日期（on）{day} 早于当前状态的开始日期 {began}", field="on", code="before_current_status")
