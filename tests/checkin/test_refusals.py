"""The refusal table (checkin/refusals.py) and the check-in rules in SQL name the same refusals."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import msgspec

from tests.checkin.conftest import Clock, issue_code, scan
from tests.conftest import World
from tests.factories import START, add_activity_row, volunteer_row
from volunteers.checkin.refusals import REFUSALS
from volunteers.checkin.tables import Scan

SQL_CHECKIN = Path(__file__).resolve().parents[2] / "sql" / "checkin"
SCAN_FUNCTION = re.compile(r"CREATE OR REPLACE FUNCTION checkin_scan\(.*?\$\$(.*?)\$\$", re.DOTALL)
# v_result := 'closed';  and  jsonb_build_object('result', 'nonce_reused', ...)
RESULT = re.compile(r"v_result\s*:=\s*'(\w+)'|'result',\s*'(\w+)'")
# Outcomes the function keeps in the scan log but answers as "ok" (see its comment on p_registration).
ANSWERED_AS_OK = {"registration_declined"}


def sql_results() -> set[str]:
    """Every result checkin_scan() can give, wherever under sql/checkin/ the function is defined."""
    bodies = [body for path in sorted(SQL_CHECKIN.rglob("*.sql")) for body in SCAN_FUNCTION.findall(path.read_text())]
    assert bodies, f"no definition of checkin_scan() found in {SQL_CHECKIN}/**/*.sql"
    results = {a or b for body in bodies for a, b in RESULT.findall(body)}
    assert results - {"ok"}, f"no result code found in checkin_scan() under {SQL_CHECKIN}"
    return results


def test_the_table_names_exactly_the_refusals_of_the_sql_function() -> None:
    results = sql_results()
    assert results >= ANSWERED_AS_OK
    assert {code for code, refusal in REFUSALS.items() if refusal.by_database} == results - ANSWERED_AS_OK - {"ok"}
    assert {code for code, refusal in REFUSALS.items() if not refusal.by_database} == {"rate_limited"}


def test_each_refusal_is_spelled_in_full() -> None:
    for code, refusal in REFUSALS.items():
        assert refusal.code == code
        assert 400 <= refusal.status < 500 and refusal.message and refusal.headline and refusal.detail, code
        refusal.detail.format(at="", opens="", closes="")  # names no time the page cannot fill


async def test_a_refusal_passes_its_times_on_as_the_database_wrote_them(world: World, frozen: Clock) -> None:
    code = await issue_code(world, await add_activity_row())
    volunteer = await volunteer_row()
    frozen.set(START - timedelta(hours=1, microseconds=-120000))  # a fraction of a second PostgreSQL shortens
    refused = await scan(world, code, volunteer["phone"])
    assert refused.status_code == 409 and refused.json()["code"] == "not_open_yet"
    logged = await Scan.select(Scan.response).where(Scan.result == "not_open_yet").first()
    assert logged is not None
    written = msgspec.json.decode(logged["response"])
    assert refused.json()["at"] == written["at"] == "2026-03-05T05:00:00.12+00:00"
    assert refused.json()["opens_at"] == written["opens_at"]
