"""The volunteer's phone pages and the printable poster: plain HTML forms, no script, no CDN."""

from __future__ import annotations

import io
import secrets
from datetime import datetime
from typing import Any

import msgspec
import segno
from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.response import Response, Template

from volunteers import db
from volunteers.checkin import service
from volunteers.checkin.refusals import REFUSALS, Refusal, ScanRefused
from volunteers.checkin.routes import CodePath, public_registration, public_scan
from volunteers.checkin.schemas import RegisterIn, ScanAnswer, ScanIn, ScanOut
from volunteers.checkin.self_service import district_prefix
from volunteers.errors import DomainError, Invalid
from volunteers.fields import LOCAL_TZ, today
from volunteers.people.identity import normalise_phone

Page = Template | Response[Any]

# What the page says when a registration fails for a reason that is not a scan refusal.
FAILED = ("没有完成", "请回到签到页重新提交；如仍不成功，请联系现场工作人员。")


def clock_time(moment: datetime | None) -> str:
    """14:02, or 3月5日 14:02 when it is not today (Beijing time)."""
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL_TZ)
    return local.strftime("%H:%M") if local.date() == today() else f"{local.month}月{local.day}日 {local:%H:%M}"


def span(start: datetime, end: datetime) -> str:
    """3月5日 14:00–17:00 (Beijing time)."""
    a, b = start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ)
    head = f"{a.month}月{a.day}日 {a:%H:%M}"
    return f"{head}–{b:%H:%M}" if a.date() == b.date() else f"{head} – {b.month}月{b.day}日 {b:%H:%M}"


def refusal_page(refusal: Refusal, answer: ScanAnswer | None, code: str, title: str | None = None) -> Template:
    """The plain-words answer to a refused scan, with the refusal's status."""
    at, opens, closes = (answer.at, answer.opens_at, answer.closes_at) if answer else (None, None, None)
    detail = refusal.detail.format(at=clock_time(at), opens=clock_time(opens), closes=clock_time(closes))
    return result_page(refusal.headline, detail, code, title, status=refusal.status)


def result_page(headline: str, detail: str, code: str, title: str | None, *, status: int) -> Template:
    """A scan's answer that did not go through."""
    context = {"headline": headline, "detail": detail, "ok": False, "code": code, "title": title}
    return Template("result.html", context=context, status_code=status)


def success_page(answer: ScanOut, code: str, title: str) -> Template:
    """The answer to a scan that went through: what and when, nothing about the person (anyone who knows a
    phone number can send it); `title` is the activity's, which the code already shows."""
    if answer.action == "in":
        headline, detail = "签到成功", f"{clock_time(answer.at)} 已签到。离开时请再次扫码签退。"
    else:
        minutes = answer.minutes or 0
        headline, detail = "签退成功", f"本次服务记录 {minutes // 60} 小时 {minutes % 60} 分钟。谢谢您的付出！"
    context = {"headline": headline, "detail": detail, "ok": True, "code": code, "title": title}
    return Template("result.html", context=context)


async def known_activity(code: str) -> dict[str, Any] | Template:
    """The activity behind a live code, or the page explaining why there is none."""
    row = await service.activity_by_code(code)
    if row is None:
        return refusal_page(REFUSALS["unknown_code"], None, "")
    if row["revoked_at"] is not None:
        return refusal_page(REFUSALS["revoked"], None, "", title=row["title"])
    return row


def form_page(
    row: dict[str, Any], code: str, *, phone: str = "", error: str | None = None, status: int = 200
) -> Template:
    """The check-in and check-out forms, each with its own fresh nonce: the page kept since check-in (the back
    button) must still check out, not replay the check-in."""
    opens, closes = service.window(row)
    notice = "活动已取消" if row["status"] == "cancelled" else None
    context = {
        "activity": row,
        "code": code,
        "nonce_in": secrets.token_urlsafe(16),
        "nonce_out": secrets.token_urlsafe(16),
        "phone": phone,
        "error": error,
        "when": span(row["starts_at"], row["ends_at"]),
        "opens": clock_time(opens),
        "closes": clock_time(closes),
        "notice": notice,
    }
    return Template("checkin.html", context=context, status_code=status)


async def register_page(
    row: dict[str, Any], code: str, form: dict[str, str], *, error: str | None = None, status: int = 200
) -> Template:
    """The on-the-spot registration form."""
    communities = await db.fetch("checkin/communities", district_prefix(row))
    context = {
        "activity": row,
        "code": code,
        "nonce": secrets.token_urlsafe(16),
        "form": form,
        "error": error,
        "communities": [dict(c) for c in communities],
    }
    return Template("register.html", context=context, status_code=status)


def _form_fields(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name, ""))[:200] for name in names}


class CheckinPages(Controller):
    """The phone pages: never stored by the browser or a proxy (each form carries a one-time nonce, and an
    answer is for the one phone that asked)."""

    path = "/c"
    include_in_schema = False
    cache_control = CacheControlHeader(no_store=True)

    @get("/{code:str}")
    async def show(self, code: CodePath) -> Page:
        row = await known_activity(code)
        return row if isinstance(row, Template) else form_page(row, code)

    @post("/{code:str}", status_code=200)
    async def submit(self, request: Request[Any, Any, Any], code: CodePath) -> Page:
        row = await known_activity(code)
        if isinstance(row, Template):
            return row
        fields = _form_fields(await request.form(), ("phone", "nonce", "action"))
        try:
            scan = msgspec.convert(fields, ScanIn)
            phone = normalise_phone(scan.phone)
        except (msgspec.ValidationError, Invalid):
            return form_page(row, code, phone=fields["phone"], error="请输入 11 位手机号，例如 13800138000", status=422)
        try:
            answer = await public_scan(request, code, scan.action, phone, scan.nonce)
        except ScanRefused as refused:
            if refused.code == "unknown_volunteer" and scan.action == "in":
                return await register_page(row, code, {"phone": phone})
            return refusal_page(refused.refusal, refused.answer, code, title=row["title"])
        return success_page(answer, code, row["title"])

    @post("/{code:str}/register", status_code=200)
    async def register(self, request: Request[Any, Any, Any], code: CodePath) -> Page:
        row = await known_activity(code)
        if isinstance(row, Template):
            return row
        names = ("name", "phone", "area_code", "birth_date", "guardian_name", "guardian_phone", "consent", "nonce")
        form = _form_fields(await request.form(), names)
        guardian = {"name": form["guardian_name"], "phone": form["guardian_phone"], "consent_on": today().isoformat()}
        raw = {
            "name": form["name"].strip(),
            "phone": form["phone"],
            "area_code": form["area_code"],
            "nonce": form["nonce"],
            "consent": form["consent"] == "yes",
            "birth_date": form["birth_date"] or None,
            "guardian": guardian if form["guardian_name"].strip() else None,
        }
        try:
            data = msgspec.convert(raw, RegisterIn)
            answer = await public_registration(request, code, data)
        except msgspec.ValidationError:
            return await register_page(row, code, form, error="请完整填写姓名、手机号、居住社区和出生日期", status=422)
        except Invalid as invalid:
            return await register_page(row, code, form, error=invalid.message, status=422)
        except ScanRefused as refused:
            return refusal_page(refused.refusal, refused.answer, code, title=row["title"])
        except DomainError as error:  # a phone page answers in words, never in JSON
            return result_page(*FAILED, code, row["title"], status=error.status)
        return success_page(answer, code, row["title"])

    @get("/{code:str}/qr.svg")
    async def qr(self, code: CodePath) -> Response[bytes]:
        url = await live_url(code)
        if url is None:
            return Response(b"", status_code=404, media_type="image/svg+xml")
        return Response(qr_svg_file(url).encode(), media_type="image/svg+xml")

    @get("/{code:str}/qr.png")
    async def qr_png(self, code: CodePath) -> Response[bytes]:
        """The QR code as a picture to send to a WeChat group (a chat shows PNG, not SVG)."""
        url = await live_url(code)
        if url is None:
            return Response(b"", status_code=404, media_type="image/png")
        return Response(qr_png(url), media_type="image/png")

    @get("/{code:str}/poster")
    async def poster(self, code: CodePath) -> Page:
        row = await known_activity(code)
        if isinstance(row, Template):
            return row
        url = service.code_links(code, row).url
        context = {"activity": row, "when": span(row["starts_at"], row["ends_at"]), "qr_svg": qr_svg(url), "url": url}
        return Template("poster.html", context=context)


async def live_url(code: str) -> str | None:
    """The check-in link of a live code (None for an unknown or revoked one)."""
    row = await service.activity_by_code(code)
    if row is None or row["revoked_at"] is not None:
        return None
    return service.code_links(code, row).url


def _qr(url: str) -> segno.QRCode:
    """The QR code of `url` (segno; medium error correction survives a creased poster)."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str) -> str:
    """The QR code as an inline SVG that fills the box it is put in: a viewBox and no fixed size, so the
    poster's CSS sets how large it prints (a fixed width and height would print it at that size)."""
    return str(_qr(url).svg_inline(border=2, omitsize=True))


def qr_svg_file(url: str) -> str:
    """The QR code as an SVG file: a white background and the standard quiet zone (4 modules), with a
    viewBox so it scales, and a default size of 10 px a module for programs that need one."""
    code, out = _qr(url), io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, nl=False, omitsize=True, border=4, light="#fff")
    size = code.symbol_size(scale=10, border=4)[0]
    return out.getvalue().decode().replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)


def qr_png(url: str) -> bytes:
    """The QR code as a PNG, large enough (16 px a module) to stay sharp after a chat app recompresses it."""
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=16, border=4)
    return out.getvalue()


PAGES = [CheckinPages]
