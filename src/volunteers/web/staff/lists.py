"""What the registry's list and form pages share: the caller's areas as a picker, filters read from the query
string with the API's parameter names and limits, pages of 50, and a refusal kept for the form that caused it.

Filters are parsed into a Struct with the same constraints as the JSON API's query parameters, so a page
refuses what the API refuses (in Chinese, naming the parameter) instead of quietly searching for something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from litestar import Request
from msgspec import Meta, Struct

from volunteers.access import Caller
from volunteers.areas.service import list_areas
from volunteers.errors import Conflict, DomainError, Invalid, TooManyAttempts
from volunteers.fields import AreaCode
from volunteers.web.staff.frame import Form, struct_from

PAGE_SIZE = 50
# What a form can be refused with and still be shown again with what was typed: bad input, a state that does
# not allow the change (a duplicate phone, already suspended), a spent lookup budget. 403 and 404 are not:
# they become the message page, saying no more than the API would.
FORM_REFUSALS = (Invalid, Conflict, TooManyAttempts)
MAX_AREAS = 500  # a district has a few dozen; the picker lists the caller's whole subtree
LEVEL_DEPTH = {"district": 0, "street": 1, "community": 2}

F = TypeVar("F", bound=Struct)

# The API's query parameters, as Struct fields (SearchQuery, AreaQuery, Offset in volunteers.fields).
SearchText = Annotated[str, Meta(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
AreaFilter = AreaCode
Offset = Annotated[int, Meta(ge=0, le=10_000_000)]


@dataclass(frozen=True, slots=True)
class AreaChoice:
    code: str
    name: str
    label: str  # indented by level, for a <select>


async def area_choices(caller: Caller) -> list[AreaChoice]:
    """The areas of the caller's subtree, in tree order, as the area service lists them for the API."""
    areas, _ = await list_areas(caller, parent=None, level=None, limit=MAX_AREAS, offset=0)
    top = min((LEVEL_DEPTH.get(a.level, 0) for a in areas), default=0)
    return [AreaChoice(a.code, a.name, "\u3000" * (LEVEL_DEPTH.get(a.level, 0) - top) + a.name) for a in areas]


def area_names(choices: list[AreaChoice]) -> dict[str, str]:
    return {c.code: c.name for c in choices}


def query_fields(request: Request[Any, Any, Any], names: tuple[str, ...]) -> dict[str, str]:
    """The named query parameters that are not blank, trimmed (a form's empty filter means no filter)."""
    found: dict[str, str] = {}
    for name in names:
        value = request.query_params.get(name)
        if isinstance(value, str) and value.strip():
            found[name] = value.strip()
    return found


def parse_filters(request: Request[Any, Any, Any], kind: type[F]) -> tuple[F, dict[str, str], Invalid | None]:
    """The filters of a list page (its Struct's fields), what was typed, and the refusal if any was malformed.

    A malformed filter is not dropped silently: the page shows the list unfiltered only after saying why.
    """
    typed = query_fields(request, tuple(kind.__struct_fields__))
    try:
        return struct_from(typed, kind), typed, None
    except Invalid as refusal:
        return kind(), typed, refusal


@dataclass(frozen=True, slots=True)
class Paging:
    offset: int
    total: int
    shown: int
    previous: str | None  # the link to the page before, with the same filters
    following: str | None

    @property
    def first(self) -> int:
        return self.offset + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return self.offset + self.shown


def paging(path: str, typed: dict[str, str], offset: int, shown: int, total: int) -> Paging:
    """Links to the pages before and after this one, keeping the filters that were typed."""
    kept = {k: v for k, v in typed.items() if k != "offset"}

    def link(at: int) -> str:
        return f"{path}?{urlencode({**kept, 'offset': at})}" if at else f"{path}?{urlencode(kept)}".rstrip("?")

    previous = link(max(offset - PAGE_SIZE, 0)) if offset > 0 else None
    following = link(offset + PAGE_SIZE) if offset + shown < total else None
    return Paging(offset=offset, total=total, shown=shown, previous=previous, following=following)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refusal to show beside the form it came from: the message, the field it names, the status to answer."""

    message: str
    field: str | None
    status: int
    form: str = ""  # which form on a page with several (an action's name)

    @classmethod
    def of(cls, error: DomainError, form: str = "") -> Refusal:
        return cls(message=error.message, field=error.field, status=error.status, form=form)

    def about(self, name: str, form: str = "") -> bool:
        """Whether the refusal is about field `name` of `form` (`guardian` covers `guardian.phone`, and back)."""
        if self.form != form or self.field is None:
            return False
        return self.field == name or self.field.startswith(f"{name}.") or name.startswith(f"{self.field}.")


def typed_values(form: Form, names: tuple[str, ...]) -> dict[str, str]:
    """What the form carried for `names`, trimmed ("" for a field left empty), to show it again."""
    return {name: value.strip() if isinstance(value := form.get(name), str) else "" for name in names}


def nested(data: dict[str, Any], group: str) -> dict[str, Any]:
    """`guardian.name`, `guardian.phone` … as the API's nested object `guardian` (left out when all are blank)."""
    prefix = f"{group}."
    inner = {k.removeprefix(prefix): data.pop(k) for k in [k for k in data if k.startswith(prefix)]}
    if inner:
        data[group] = inner
    return data


async def registry_list(
    caller: Caller, path: str, typed: dict[str, str], offset: int, found: tuple[list[Any], int], error: Refusal | None
) -> dict[str, Any]:
    """What every registry list page shows besides its rows: the filters as typed, paging links, the area picker
    and the refusal of a filter, if any."""
    items, total = found
    areas = await area_choices(caller)
    return {
        "typed": typed,
        "paging": paging(path, typed, offset, len(items), total),
        "areas": areas,
        "area_names": area_names(areas),
        "error": error,
    }
