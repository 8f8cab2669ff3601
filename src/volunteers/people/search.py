"""Finding volunteers by a search term, without turning the search into a way to read what is hidden.

A search that answers "is this the number?" reveals a hidden number one guess at a time. So:
- phones: a caller who sees whole phones may search by a prefix; one who sees them masked (`138****8000`)
  only by the whole number, since a prefix search unmasks a phone a digit at a time;
- ID numbers: only callers who see birth dates (staff and admins, who hold the paper form) may search by
  the exact number; an official's 18-character term matches names and volunteer numbers only.
Each exact lookup of a hidden identifier (an ID number; a whole phone by a caller who sees it masked) is
written to the audit trail, with the ID number only as its keyed hash, and counted: a caller may make
`LOOKUPS_PER_HOUR` of them in any hour, so the ~500 ID numbers a known birth date, gender and local area
code leave (or the 10,000 middle digits of a masked phone) cannot be tried in a sitting.

Registering or importing a volunteer answers the same question when it refuses an ID number that is on file
for another volunteer, so each such answer is charged as an exact ID lookup too (`charge_id_lookups`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from piccolo.custom_types import Combinable

from volunteers import audit, db
from volunteers.access import Caller, sees_personal_details
from volunteers.errors import Invalid, TooManyAttempts
from volunteers.fields import like_literal
from volunteers.people.identity import id_number_hash, validate_id_number
from volunteers.people.tables import Volunteer

LOOKUPS_PER_HOUR = 20
_LOOKUP_ACTIONS = ["lookup_id_number", "lookup_phone"]
_LOOKUP_LOCK_CLASS = db.LockClass.ID_LOOKUPS  # one caller's look-ups take turns
_SEPARATORS = re.compile(r"[\s-]")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Lookup:
    """An exact lookup of an identifier the caller cannot read in the answers; audited and counted."""

    kind: Literal["id_number", "phone"]
    id_hash: str | None = None  # the keyed hash of a searched ID number; phones are not kept at all


@dataclass(slots=True)
class Search:
    """The condition a term stands for, and the lookup it makes (if any)."""

    condition: Combinable
    lookup: Lookup | None = field(default=None)


def search_for(caller: Caller, term: str) -> Search:
    """Name (substring) or volunteer number (exact); a phone and an ID number as the caller may search them."""
    condition: Combinable = Volunteer.name.ilike(f"%{like_literal(term)}%") | (Volunteer.volunteer_no == term.upper())
    lookup = None
    # Every volunteer a list shows lies in the caller's subtree, so the caller's own area decides.
    personal = sees_personal_details(caller, caller.area_path)
    digits = _SEPARATORS.sub("", term).removeprefix("+86")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if digits.isascii() and digits.isdigit():
        if personal and 3 <= len(digits) <= 11:
            condition = condition | Volunteer.phone.like(f"{digits}%")
        elif not personal and len(digits) == 11:
            condition = condition | (Volunteer.phone == digits)
            lookup = Lookup("phone")
    if personal and len(term) == 18:
        try:
            number = validate_id_number(term).number
        except Invalid:
            number = None  # not a valid ID number: no stored one can equal it, and nothing to count
        if number is not None:
            id_hash = id_number_hash(number)
            condition = condition | (Volunteer.id_number_hash == id_hash)
            lookup = Lookup("id_number", id_hash)
    return Search(condition, lookup)


async def admit_lookup(caller: Caller) -> None:
    """Refuse (429) a lookup past the caller's hourly budget; call inside the transaction that records it.

    The caller's advisory lock makes concurrent lookups take turns, so the count cannot be raced past.
    """
    if await _lookups_used(caller) >= LOOKUPS_PER_HOUR:
        raise _too_many_lookups("q")


async def _lookups_used(caller: Caller) -> int:
    """The caller's lookups in the last hour, counted under their advisory lock (held until the transaction ends)."""
    await db.execute("people/lookup_lock", _LOOKUP_LOCK_CLASS, caller.user_id)
    used: int = await db.fetchval("people/lookups_used", caller.user_id, _LOOKUP_ACTIONS)
    return used


def _too_many_lookups(field: str, message: str | None = None) -> TooManyAttempts:
    return TooManyAttempts(
        message
        or f"一小时内按完整身份证号或手机号查找志愿者最多 {LOOKUPS_PER_HOUR} 次，请稍后再试，或按姓名、志愿者编号查找",
        field=field,
        code="too_many_lookups",
    )


async def charge_id_lookups(caller: Caller | None, found: Collection[str], *, compared: bool = True) -> None:
    """Charge an answer that will say the ID numbers hashed in `found` are on file for other volunteers, before
    it is given: one exact ID lookup each, audited (hash only) and counted against the caller's hourly budget.

    `compared`: the answer compares some ID number with those on file at all. While the budget is spent such an
    answer is refused (429) whatever `found` holds, and nothing is recorded, so the refusal tells nothing;
    otherwise `found` is recorded, and refused too if it is more than the budget left (the entries stay: the
    refusal says that many were found). The entries are written in a transaction of their own, so they stay
    when the request's is rolled back (a refused write, a dry run); the caller's advisory lock is held from
    count to commit, so concurrent answers take turns and cannot overspend. `caller` None (the command line,
    run by whoever holds the database) is not counted.
    """
    if caller is None or not (compared or found):
        return
    await _apart(lambda: _charge(caller, sorted(set(found))))


async def _charge(caller: Caller, found: list[str]) -> None:
    async with Volunteer._meta.db.transaction():
        used = await _lookups_used(caller)
        if used >= LOOKUPS_PER_HOUR:
            raise _too_many_lookups(
                "id_number",
                f"一小时内按身份证号核对志愿者（查找，或登记、导入时提示身份证号已登记）最多 {LOOKUPS_PER_HOUR} 次，"
                "已用完，请稍后再试",
            )
        if not found:
            return
        holders = await Volunteer.select(Volunteer.id, Volunteer.id_number_hash).where(
            Volunteer.id_number_hash.is_in(found)
        )
        for id_hash in found:
            await record_lookup(
                caller, Lookup("id_number", id_hash), [h["id"] for h in holders if h["id_number_hash"] == id_hash]
            )
    if used + len(found) > LOOKUPS_PER_HOUR:
        raise _too_many_lookups(
            "id_number",
            f"有 {len(found)} 个身份证号已登记为其他志愿者，超过了一小时内按身份证号核对的余量"
            f"（每小时最多 {LOOKUPS_PER_HOUR} 次，还剩 {LOOKUPS_PER_HOUR - used} 次），"
            "本次什么也没有写入，请稍后再试",
        )


async def _apart(work: Callable[[], Awaitable[_T]]) -> _T:
    """Run `work` outside the current transaction, if any: in a task whose context has no transaction,
    so Piccolo takes a fresh connection from the pool and what `work` commits stays whatever the caller's does."""

    async def detached() -> _T:
        Volunteer._meta.db.current_transaction.set(None)
        return await work()

    return await asyncio.create_task(detached())


async def record_lookup(caller: Caller, lookup: Lookup, found: list[int]) -> None:
    """The audit entry of one lookup: what kind, the keyed hash of an ID number (never the number), who was found."""
    entity_id = ",".join(map(str, found))[:64] or "-"
    after = {"found": found} if lookup.id_hash is None else {"id_number_hash": lookup.id_hash, "found": found}
    await audit.record(caller, f"lookup_{lookup.kind}", "volunteer", entity_id, area_id=caller.area_id, after=after)
