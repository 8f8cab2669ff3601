"""A crowd at the door: 200 volunteers at once, with replays and fresh-nonce duplicates."""

from __future__ import annotations

import asyncio
import random
from datetime import date
from typing import Any

from tests.checkin.conftest import Clock, issue_code, nonce
from tests.conftest import World
from tests.factories import add_activity_row, area_id
from volunteers.checkin.tables import Scan, ServiceRecord
from volunteers.people.tables import Volunteer

CROWD = 200


async def test_crowd_checks_in_exactly_once(app: Any, world: World, frozen: Clock) -> None:
    app.state.scan_limits.clients.limit = 100_000
    code = await issue_code(world, await add_activity_row())
    community = await area_id("C11")
    await Volunteer.insert(
        *[
            Volunteer(
                volunteer_no=f"ZYC{i:08d}",
                name=f"志愿者{i}",
                phone=f"135{i:08d}",
                area=community,
                registered_on=date(2026, 1, 1),
                consent_on=date(2026, 1, 1),
            )
            for i in range(CROWD)
        ]
    )
    firsts = [(f"135{i:08d}", nonce()) for i in range(CROWD)]
    replays = firsts[::2]  # the same nonce again: the first answer, nothing new
    duplicates = [(phone, nonce()) for phone, _ in firsts[1::2]]  # a fresh nonce: already_checked_in
    attempts = [("first", p, n) for p, n in firsts] + [("replay", p, n) for p, n in replays]
    attempts += [("duplicate", p, n) for p, n in duplicates]
    random.Random(5).shuffle(attempts)

    async def attempt(phone: str, once: str) -> Any:
        return await world.http.post(f"/api/v1/checkin/{code}", json={"phone": phone, "nonce": once, "action": "in"})

    responses = await asyncio.gather(*[attempt(phone, once) for _, phone, once in attempts])

    by_phone: dict[str, dict[str, list[Any]]] = {}
    for (_, phone, once), response in zip(attempts, responses, strict=True):
        by_phone.setdefault(phone, {}).setdefault(once, []).append(response)
    for phone, nonces in by_phone.items():
        # a nonce sent twice gets one and the same answer both times
        for answers in nonces.values():
            assert len({(r.status_code, _without_replay_flag(r.json())) for r in answers}) == 1, phone
        outcomes = sorted(answers[0].status_code for answers in nonces.values())
        # whichever nonce came first checked in; any other was refused with its time
        assert outcomes in ([200], [200, 409]), (phone, outcomes)
        for answers in nonces.values():
            if answers[0].status_code == 409:
                assert answers[0].json()["code"] == "already_checked_in"
    assert await ServiceRecord.count() == CROWD
    per_volunteer = await ServiceRecord.raw(
        "SELECT volunteer, count(*) AS n FROM service_record GROUP BY volunteer HAVING count(*) > 1"
    )
    assert per_volunteer == []
    # one scan row per distinct nonce: firsts and duplicates, never the replays
    assert await Scan.count() == CROWD + len(duplicates)
    assert await Scan.count().where(Scan.result == "already_checked_in") == len(duplicates)


def _without_replay_flag(body: dict[str, Any]) -> str:
    return repr(sorted((k, v) for k, v in body.items() if k != "replayed"))
