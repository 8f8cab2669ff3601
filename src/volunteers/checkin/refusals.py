"""Why a scan is refused: each refusal's code, HTTP status, API message and phone-page words, written once.

The codes are the results checkin_scan() answers (defined under sql/checkin/; a test keeps the two equal),
plus the rate limit, which refuses before the rules run. The JSON API answers with `status` and `message`,
the phone page with `headline` and `detail`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from msgspec import Struct

from volunteers.checkin.schemas import ScanAnswer
from volunteers.errors import DomainError


class Refusal(Struct, frozen=True):
    """One refusal; `detail` may name the times `{at}`, `{opens}` and `{closes}` (Beijing clock)."""

    code: str
    status: int
    message: str
    headline: str
    detail: str
    by_database: bool = True  # answered by checkin_scan(); False: refused before it is called


_TABLE = (
    Refusal("unknown_code", 404, "签到链接无效，请向工作人员确认", "签到链接无效", "请向工作人员确认二维码。"),
    Refusal("revoked", 410, "签到链接已失效，请扫描现场最新的二维码", "链接已失效", "请扫描现场最新的二维码。"),
    Refusal("cancelled", 409, "活动已取消", "活动已取消", "本次活动已取消，感谢您的关注。"),
    Refusal("closed", 409, "签到已结束", "签到已结束", "签到已于 {closes} 截止。如需补录时长，请联系工作人员。"),
    Refusal("not_open_yet", 409, "签到尚未开始", "签到尚未开始", "签到将于 {opens} 开放，请稍后再扫码。"),
    Refusal("already_checked_in", 409, "您已签到", "您已签到", "签到时间 {at}。离开时请再次扫码签退。"),
    Refusal("not_checked_in", 409, "您还没有签到，不能签退", "您还没有签到", "请先签到，离开时再签退。"),
    Refusal(
        "unknown_volunteer",
        404,
        "没有找到该手机号对应的志愿者，请先登记",
        "没有找到该手机号",
        "请确认手机号是否正确；第一次参加请点“签到”登记。",
    ),
    Refusal("rate_limited", 429, "操作过于频繁，请稍后再试", "操作过于频繁", "请稍等一分钟再试。", by_database=False),
    Refusal(
        "nonce_reused",
        409,
        "这次提交已用过，请回到签到页重新提交",
        "这次提交已用过",
        "请回到签到页，重新输入手机号提交。",
    ),
)
REFUSALS: dict[str, Refusal] = {refusal.code: refusal for refusal in _TABLE}


class ScanRefused(DomainError):
    """A scan the rules refuse; carries the whole answer (the phone page words its times)."""

    def __init__(self, answer: ScanAnswer) -> None:
        self.refusal = REFUSALS[answer.result]
        super().__init__(self.refusal.message, code=self.refusal.code, extra=_public(answer))
        self.status = self.refusal.status
        self.answer = answer


def _public(answer: ScanAnswer) -> dict[str, Any]:
    """What a refusal may tell an anonymous phone: times, never names."""
    shown = {"action": answer.action, "at": answer.at, "opens_at": answer.opens_at, "closes_at": answer.closes_at}
    return {k: v if isinstance(v, str) else _as_postgres_spells_it(v) for k, v in shown.items() if v is not None}


def _as_postgres_spells_it(moment: datetime) -> str:
    """A time as PostgreSQL writes it in JSON (no trailing zeros in the fraction of a second): refusals have
    always passed the database's text on unchanged."""
    text = moment.isoformat()
    if moment.microsecond:
        whole, _, rest = text.partition(".")
        text = f"{whole}.{rest[:6].rstrip('0')}{rest[6:]}"
    return text
