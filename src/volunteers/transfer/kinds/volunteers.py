"""Importing volunteers: the people API's rules per row; upsert by volunteer number, else by phone.

ID numbers are validated, encrypted and hashed here, before COPY. 已登记 (as exports show an ID
number on file) or a masked number (as older exports did) means "keep the stored one", without
comparing it with the stored number: such a comparison would confirm guessed digits. Empty optional
cells keep stored values: an import adds and corrects, it never clears.

A row refused because its ID number is on file for another volunteer answers an exact ID lookup; the
importer lists those (`id_numbers_found`) and `imports.run_import` charges them to the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg

from volunteers import db
from volunteers.fields import check_day, today
from volunteers.people.identity import IdFacts, encrypt_id_number, id_number_hash, normalise_phone, validate_id_number
from volunteers.people.rules import birth_and_gender, check_birth_dates, check_guardian, check_name, refuse_if_withdrawn
from volunteers.people.schemas import GuardianIn, GuardianOut, VolunteerIn
from volunteers.people.service import DUPLICATES
from volunteers.transfer import cells
from volunteers.transfer.checks import FAILED, RowCheck, conform
from volunteers.transfer.columns import ID_NUMBER_ON_FILE, VOLUNTEERS
from volunteers.transfer.kinds.base import KindImport, Plan, claim
from volunteers.transfer.schemas import RowError

_MASKED = re.compile(r"\d{6}\*{8}[\dX]{4}")


@dataclass(slots=True)
class VolunteerRow:
    """A row that passed every check that needs no stored data."""

    row: RowCheck
    number: str | None
    name: str
    phone: str
    facts: IdFacts | None
    kept_id: bool  # 已登记 or a masked number: keep the stored ID number
    id_hash: str | None
    id_cipher: bytes | None
    gender: str | None  # as written (None: not given)
    birth_date: date | None
    area: dict[str, Any]
    registered_on: date | None
    consent_on: date | None
    guardian: GuardianIn | None
    settled: tuple[date | None, str | None, GuardianOut | None] | None = None  # if it is a new volunteer
    provisional: list[RowError] | None = None  # errors that hold only if it is a new volunteer


class VolunteerImport(KindImport):
    spec = VOLUNTEERS
    staging = "volunteer"
    columns = (
        "row_no",
        "name",
        "phone",
        "id_cipher",
        "id_hash",
        "gender",
        "birth_date",
        "area",
        "registered_on",
        "consent_on",
        "guardian_name",
        "guardian_phone",
        "guardian_consent_on",
    )

    def check(self, row: RowCheck) -> VolunteerRow | None:
        name = row.read("name", cells.text)
        raw_phone = row.read("phone", cells.phone)
        number = row.read("volunteer_no", cells.text)
        raw_id = row.read("id_number", cells.id_number)
        gender = row.read("gender", cells.choice, cells.GENDERS, "性别")
        birth = row.read("birth_date", cells.day)
        registered = row.read("registered_on", cells.day)
        consent = row.read("consent_on", cells.day)
        guardian = _guardian(row)
        area = self.scope.area_of(row)
        if name is None:
            row.error("name", "required", "姓名不能为空")
        elif name is not FAILED:
            name = row.attempt(check_name, name)
        if raw_phone is None:
            row.error("phone", "required", "手机号不能为空")
        elif raw_phone is not FAILED:
            phone = row.attempt(normalise_phone, raw_phone)
        kept_id = isinstance(raw_id, str) and (raw_id == ID_NUMBER_ON_FILE or "*" in raw_id)
        facts = None
        if kept_id and raw_id != ID_NUMBER_ON_FILE and not _MASKED.fullmatch(raw_id):
            row.error(
                "id_number",
                "invalid_id_number",
                f"身份证号不正确：保留已登记的号码请填“{ID_NUMBER_ON_FILE}”"
                "，或旧导出表中打码的号码（如 430421********1234）",
            )
        elif isinstance(raw_id, str) and not kept_id:
            facts = row.attempt(validate_id_number, raw_id)
        if not row.ok or area is None:
            return None
        given = {
            "name": name,
            "phone": raw_phone,
            "area_code": area["code"],
            "id_number": None if kept_id else raw_id,
            "gender": gender,
            "birth_date": birth,
            "registered_on": registered,
            "consent_on": consent,
            "guardian": guardian
            and {"name": guardian.name, "phone": guardian.phone, "consent_on": guardian.consent_on},
        }
        if not conform(row, {k: v for k, v in given.items() if v is not None}, VolunteerIn):
            return None
        candidate = VolunteerRow(
            row=row,
            number=number.upper() if number else None,
            name=name,
            phone=phone,
            facts=facts,
            kept_id=kept_id,
            id_hash=id_number_hash(facts.number) if facts else None,
            id_cipher=encrypt_id_number(facts.number) if facts else None,
            gender=gender,
            birth_date=birth,
            area=area,
            registered_on=registered,
            consent_on=consent,
            guardian=guardian,
        )
        if number is None:  # it may be new: settle it as new now, and again in `resolve` if it is not
            scratch = row.sibling()
            candidate.settled = _settle(candidate, None, scratch)
            candidate.provisional = scratch.errors
        return candidate

    def keys(self, candidate: VolunteerRow) -> list[tuple[str, Any]]:
        keys: list[tuple[str, Any]] = [("phone", candidate.phone)]
        if candidate.number:
            keys.append(("volunteer_no", candidate.number))
        if candidate.id_hash:
            keys.append(("id_number", candidate.id_hash))
        return keys

    async def resolve(self, conn: asyncpg.Connection[Any], candidates: list[VolunteerRow]) -> Plan:
        stored = await conn.fetch(
            db.sql("transfer/volunteer_existing"),
            [c.phone for c in candidates],
            [c.number for c in candidates if c.number],
            [c.id_hash for c in candidates if c.id_hash],
        )
        by_phone = {r["phone"]: dict(r) for r in stored}
        by_number = {r["volunteer_no"]: dict(r) for r in stored}
        by_hash = {r["id_number_hash"]: dict(r) for r in stored if r["id_number_hash"]}
        plan = Plan()
        registered_today = today()
        for c in candidates:
            target = self._target(c, by_number, by_phone, by_hash)
            if not c.row.ok:
                continue
            if target is None:
                if c.kept_id:
                    c.row.error(
                        "id_number",
                        "masked_id_number",
                        f"“{ID_NUMBER_ON_FILE}”或打码的身份证号只能用于更新已登记的志愿者，新登记请填写完整号码",
                    )
                    continue
                if c.provisional:
                    c.row.errors.extend(c.provisional)
                    continue
                assert c.settled is not None
                plan.inserts.append(_values(c, c.settled, c.registered_on or registered_today, None))
                continue
            key_column = "volunteer_no" if c.number else "phone"
            if not claim(c.row, self.claimed, target["id"], key_column, "志愿者"):
                continue
            if not self.scope.covers(target["area_path"]):
                c.row.error(key_column, "outside_scope", "该志愿者登记在其他区域，不在您管辖的区域内，不能修改")
                continue
            settled = _settle(c, target, c.row)
            if settled is None:
                continue
            values = _values(c, settled, target["registered_on"], target)
            # A full ID number for a volunteer who has one on file is always written (the same one is written
            # again): "unchanged" would confirm a guessed number, one dry-run row at a time.
            rewrites_id_number = c.id_hash is not None and target["id_number_hash"] is not None
            if _same(values, target) and not rewrites_id_number:
                plan.unchanged += 1
            elif c.row.attempt(refuse_if_withdrawn, target, default="name") is not FAILED:
                plan.updates.append((target["id"], *values))
        return plan

    def _target(
        self,
        c: VolunteerRow,
        by_number: dict[str, dict[str, Any]],
        by_phone: dict[str, dict[str, Any]],
        by_hash: dict[str, dict[str, Any]],
    ) -> dict[str, Any] | None:
        """The stored volunteer a row updates (by number, else phone), refusing clashes with others.

        An ID number on file for the very volunteer the row updates is no clash and reveals nothing new;
        one on file for another is noted in `id_numbers_found`, to be charged as an exact ID lookup.
        """
        row = c.row
        target = None
        if c.number is not None:
            target = by_number.get(c.number)
            if target is None:
                row.error("volunteer_no", "unknown_volunteer", f"志愿者编号 {c.number} 不存在；新志愿者请不要填写编号")
                return None
        holder = by_phone.get(c.phone)
        if target is None:
            target = holder
        elif holder is not None and holder["id"] != target["id"]:
            row.error("phone", "duplicate_phone", DUPLICATES["volunteer_phone_key"][2])
            return None
        owner = by_hash.get(c.id_hash) if c.id_hash else None
        self.id_numbers_compared = self.id_numbers_compared or c.id_hash is not None
        if owner is not None and (target is None or owner["id"] != target["id"]):
            assert c.id_hash is not None
            self.id_numbers_found.append(c.id_hash)
            row.error("id_number", "duplicate_id_number", DUPLICATES["volunteer_id_number_hash_key"][2])
            return None
        if target is not None and c.kept_id and target["id_number_hash"] is None:
            row.error("id_number", "id_number_mismatch", "该志愿者没有登记身份证号；如需登记请填写完整号码")
            return None
        return target


def _guardian(row: RowCheck) -> GuardianIn | None:
    name = row.read("guardian_name", cells.text)
    phone = row.read("guardian_phone", cells.phone)
    consent_on = row.read("guardian_consent_on", cells.day)
    if name is None and phone is None and consent_on is None:
        return None
    if not name or not phone:
        row.error("guardian_phone" if name else "guardian_name", "guardian_incomplete", "监护人姓名和手机号须同时填写")
        return None
    if FAILED in (name, phone, consent_on):
        return None
    return GuardianIn(name=name, phone=phone, consent_on=consent_on)


def _settle(
    c: VolunteerRow, stored: dict[str, Any] | None, row: RowCheck
) -> tuple[date | None, str | None, GuardianOut | None] | None:
    """Birth date, gender and guardian after the people API's cross-field rules; None (errors in `row`) if broken."""
    if stored is None:
        registered_on = c.registered_on or today()
        # (a date left blank is today or the registration date, which these rules always accept)
        if c.registered_on and row.attempt(check_day, registered_on, "registered_on", "注册日期") is FAILED:
            return None
        if c.consent_on and row.attempt(check_day, c.consent_on, "consent_on", "同意日期") is FAILED:
            return None
        from_id = (c.facts.birth_date, c.facts.gender) if c.facts else None
        birth, gender = c.birth_date, c.gender
        current_guardian = None
    else:
        registered_on = stored["registered_on"]
        from_id = None
        if c.facts:
            from_id = (c.facts.birth_date, c.facts.gender)
        elif stored["id_number_hash"] is not None and stored["birth_date"] and stored["gender"]:
            from_id = (stored["birth_date"], stored["gender"])
        kept_birth, kept_gender = (None, None) if c.facts else (stored["birth_date"], stored["gender"])
        birth = c.birth_date if c.birth_date is not None else kept_birth
        gender = c.gender if c.gender is not None else kept_gender
        current_guardian = (
            GuardianIn(stored["guardian_name"], stored["guardian_phone"], stored["guardian_consent_on"])
            if stored["guardian_name"] is not None
            else None
        )
    facts = row.attempt(birth_and_gender, from_id, birth, gender)
    if facts is FAILED:
        return None
    birth, gender = facts
    if row.attempt(check_birth_dates, birth, registered_on) is FAILED:
        return None
    guardian = row.attempt(check_guardian, c.guardian or current_guardian, birth, registered_on)
    if guardian is FAILED:
        return None
    return birth, gender, guardian


def _values(
    c: VolunteerRow,
    settled: tuple[date | None, str | None, GuardianOut | None],
    registered_on: date,
    stored: dict[str, Any] | None,
) -> tuple[Any, ...]:
    """The staging row: final values in `VolunteerImport.columns` order."""
    birth, gender, guardian = settled
    id_hash, cipher = c.id_hash, c.id_cipher
    if c.facts is None and stored is not None:
        id_hash = stored["id_number_hash"]
    if stored is not None and id_hash == stored["id_number_hash"]:
        cipher = None  # unchanged: keep the stored ciphertext
    return (
        c.row.number,
        c.name,
        c.phone,
        cipher,
        id_hash,
        gender,
        birth,
        c.area["id"],
        registered_on,
        c.consent_on or registered_on,
        guardian.name if guardian else None,
        guardian.phone if guardian else None,
        guardian.consent_on if guardian else None,
    )


_COMPARED = {
    "name": 1,
    "phone": 2,
    "id_number_hash": 4,
    "gender": 5,
    "birth_date": 6,
    "area_id": 7,
    "guardian_name": 10,
    "guardian_phone": 11,
    "guardian_consent_on": 12,
}


def _same(values: tuple[Any, ...], stored: dict[str, Any]) -> bool:
    return all(stored[column] == values[at] for column, at in _COMPARED.items())
