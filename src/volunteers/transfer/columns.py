"""One column list per kind, used by import, export and the blank templates alike.

Staff headers vary ("手机号", "手机号码", "联系电话 *", "性别(男/女)"); `normalise_header` strips
what varies (blanks, required-markers, notes in brackets) before looking a header up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from volunteers.errors import Invalid, NotFound

# Cell formats: how a value is read on import and written on export.
TEXT, PHONE, ID_NUMBER, DATE, DATETIME, NUMBER, HOURS, LIST = (
    "text",
    "phone",
    "id_number",
    "date",
    "datetime",
    "number",
    "hours",
    "list",
)


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column: its field (the English API name, also accepted as a header) and its Chinese header."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    format: str = TEXT
    required: bool = False
    imported: bool = True
    exported: bool = True
    note: str = ""
    example: str = ""


@dataclass(frozen=True, slots=True)
class KindSpec:
    """What one kind's sheet holds; `one_of` lists fields of which at least one column must be present."""

    name: str
    label: str
    columns: tuple[ColumnSpec, ...]
    one_of: tuple[tuple[str, ...], ...] = ()
    by_header: dict[str, ColumnSpec] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for column in self.columns:
            for name in (column.field, column.header, *column.aliases):
                self.by_header[normalise_header(name)] = column

    def column(self, name: str) -> ColumnSpec:
        """The column whose field is `name`."""
        return next(c for c in self.columns if c.field == name)


_BRACKETED = re.compile(r"[（(【\[].*?[)）】\]]")
_DROPPED = re.compile(r"[\s*＊:：_\-]+")


def normalise_header(text: Any) -> str:
    """`"* 手机号码（必填）"` → `"手机号码"`; English is case- and separator-insensitive."""
    if text is None:
        return ""
    cleaned = _BRACKETED.sub("", str(text))
    return _DROPPED.sub("", cleaned).lower()


_AREA = ColumnSpec(
    "area_name",
    "所属社区",
    ("所属区域", "所在社区", "社区", "区域", "社区名称", "区域名称", "area"),
    note="区域名称或编码，须在本次导入的区域之内；不填则为导入时选择的区域",
    example="东一社区",
)
_AREA_CODE = ColumnSpec(
    "area_code",
    "区域编码",
    ("社区编码", "所属区域编码"),
    note="填写时优先于“所属社区”",
    example="C11",
)
_VOLUNTEER_NO = ColumnSpec(
    "volunteer_no",
    "志愿者编号",
    ("编号", "志愿者号"),
    note="系统发放的编号（ZY 开头）；填写时按编号更新已有志愿者，新志愿者留空",
    example="ZY0000000001",
)
_PHONE = ColumnSpec(
    "phone", "手机号", ("手机", "手机号码", "联系电话", "电话", "联系方式", "mobile"), PHONE, example="13800138000"
)
_NAME = ColumnSpec("name", "姓名", ("名字", "志愿者姓名"), example="张三")

# What the volunteer export writes for an ID number on file (never any of its characters); importing it keeps it.
ID_NUMBER_ON_FILE = "已登记"

VOLUNTEERS = KindSpec(
    "volunteers",
    "志愿者",
    (
        _VOLUNTEER_NO,
        ColumnSpec(_NAME.field, _NAME.header, _NAME.aliases, required=True, example="张三"),
        ColumnSpec(
            _PHONE.field,
            _PHONE.header,
            _PHONE.aliases,
            PHONE,
            required=True,
            note="11 位大陆手机号；已登记的手机号会更新该志愿者",
            example="13800138000",
        ),
        ColumnSpec(
            "id_number",
            "身份证号",
            ("身份证", "身份证号码", "证件号码", "公民身份号码"),
            ID_NUMBER,
            note=f"18 位；导出表中的“{ID_NUMBER_ON_FILE}”（或旧导出表中打码的号码）表示保留已登记的号码",
            example="43042119900307001X",
        ),
        ColumnSpec("gender", "性别", (), note="男 或 女；有身份证号时须与之相符", example="男"),
        ColumnSpec(
            "birth_date",
            "出生日期",
            ("出生年月日", "生日"),
            DATE,
            note="统计查看账号导出时为空（只给年龄段）",
            example="1990-03-07",
        ),
        ColumnSpec(
            "age_band",
            "年龄段",
            (),
            imported=False,
            note="仅导出：按今天的年龄分为 未满14岁、14–17岁、18–34岁、35–59岁、60岁及以上",
        ),
        _AREA,
        _AREA_CODE,
        ColumnSpec(
            "registered_on",
            "注册日期",
            ("登记日期", "注册时间", "加入日期"),
            DATE,
            note="不填为今天；已登记的志愿者不改",
            example="2024-03-05",
        ),
        ColumnSpec("consent_on", "同意日期", ("授权日期",), DATE, note="同意登记个人信息的日期；不填为注册日期"),
        ColumnSpec("guardian_name", "监护人姓名", ("监护人",), note="未满 18 周岁须填写监护人三项"),
        ColumnSpec("guardian_phone", "监护人手机号", ("监护人电话", "监护人手机"), PHONE),
        ColumnSpec("guardian_consent_on", "监护人同意日期", (), DATE),
        ColumnSpec("status", "状态", (), imported=False, note="仅导出：在册、暂停或退出"),
    ),
)

TEAMS = KindSpec(
    "teams",
    "服务队",
    (
        ColumnSpec(
            "name",
            "服务队名称",
            ("服务队", "队名", "名称", "队伍名称"),
            required=True,
            example="东一社区读书志愿服务队",
        ),
        _AREA,
        _AREA_CODE,
        ColumnSpec(
            "sponsor",
            "发起单位",
            ("依托单位", "主管单位", "组建单位", "成立单位"),
            required=True,
            example="衡州小学",
        ),
        ColumnSpec("founded_on", "成立日期", ("成立时间",), DATE, example="2023-06-01"),
        ColumnSpec(
            "categories",
            "服务类别",
            ("服务领域", "服务类型"),
            LIST,
            note="多个类别用顿号、逗号或分号隔开",
            example="读书分享会、家庭教育讲座",
        ),
        ColumnSpec("status", "状态", (), imported=False, note="仅导出：活跃或已解散"),
        ColumnSpec("members", "现有成员数", (), NUMBER, imported=False, note="仅导出"),
    ),
)

MEMBERSHIPS = KindSpec(
    "memberships",
    "服务队成员",
    (
        ColumnSpec(
            "team", "服务队", ("服务队名称", "队名", "所在服务队"), required=True, example="东一社区读书志愿服务队"
        ),
        ColumnSpec(
            _AREA.field,
            "服务队所属社区",
            ("所属社区", "社区", "区域", "area"),
            note="服务队所在区域（名称或编码），同名服务队时用来区分",
        ),
        _VOLUNTEER_NO,
        ColumnSpec(_PHONE.field, _PHONE.header, _PHONE.aliases, PHONE, note="手机号或志愿者编号至少填一项"),
        ColumnSpec(_NAME.field, _NAME.header, _NAME.aliases, note="填写时须与登记的姓名一致，用来核对"),
        ColumnSpec("role", "角色", ("职务", "身份"), note="队员 或 队长；不填为队员", example="队员"),
        ColumnSpec("joined_on", "加入日期", ("入队日期", "加入时间"), DATE, note="不填为今天", example="2024-03-05"),
        ColumnSpec("left_on", "退出日期", ("离队日期",), DATE, note="已离队的成员填写"),
    ),
    one_of=(("phone", "volunteer_no"),),
)

ACTIVITIES = KindSpec(
    "activities",
    "活动",
    (
        ColumnSpec("title", "活动名称", ("活动", "名称", "活动主题"), required=True, example="亲子阅读会"),
        ColumnSpec(
            "category",
            "活动类别",
            ("类别", "活动类型", "类型"),
            required=True,
            note="已有的活动类别名称或编码",
            example="大众读书会",
        ),
        _AREA,
        _AREA_CODE,
        ColumnSpec("date", "活动日期", ("日期",), DATE, exported=False, note="开始/结束时间只写时刻（如 9:00）时填写"),
        ColumnSpec(
            "starts_at",
            "开始时间",
            ("活动开始时间", "开始"),
            DATETIME,
            required=True,
            note="如 2024-03-05 09:00；没有时区的时间按北京时间",
            example="2024-03-05 09:00",
        ),
        ColumnSpec(
            "ends_at", "结束时间", ("活动结束时间", "结束"), DATETIME, required=True, example="2024-03-05 11:00"
        ),
        ColumnSpec(
            "venue", "阵地", ("活动地点", "地点", "场所", "阵地名称"), note="已登记的阵地名称", example="陆家书屋"
        ),
        ColumnSpec(
            "teams",
            "组织服务队",
            ("服务队", "组织单位", "主办服务队"),
            LIST,
            note="已登记的服务队名称，多个用顿号隔开",
        ),
        ColumnSpec("capacity", "人数上限", ("招募人数", "人数"), NUMBER),
        ColumnSpec(
            "status",
            "状态",
            ("活动状态",),
            note="草稿、已发布、已完成或已取消；不填时已结束的活动为已完成，其余为草稿",
        ),
    ),
)

SERVICE_RECORDS = KindSpec(
    "service-records",
    "服务记录",
    (
        _VOLUNTEER_NO,
        ColumnSpec(_PHONE.field, _PHONE.header, _PHONE.aliases, PHONE, note="手机号或志愿者编号至少填一项"),
        ColumnSpec(_NAME.field, _NAME.header, _NAME.aliases, note="填写时须与登记的姓名一致，用来核对"),
        ColumnSpec("activity", "活动名称", ("活动", "参加活动", "服务项目"), required=True, example="亲子阅读会"),
        ColumnSpec(_AREA.field, "活动所属社区", ("所属社区", "社区", "区域", "area"), note="同名活动时用来区分"),
        ColumnSpec(
            "service_date",
            "服务日期",
            ("日期", "活动日期", "服务时间"),
            DATE,
            note="只填服务时长时必填",
            example="2024-03-05",
        ),
        ColumnSpec("started_at", "开始时间", ("签到时间", "服务开始时间"), DATETIME, example="2024-03-05 09:00"),
        ColumnSpec("ended_at", "结束时间", ("签退时间", "服务结束时间"), DATETIME, example="2024-03-05 11:00"),
        ColumnSpec(
            "hours",
            "服务时长",
            ("时长", "服务时数", "志愿服务时长", "小时数"),
            HOURS,
            note="小时，可带小数；不填开始、结束时间时从活动开始时刻算起",
            example="2",
        ),
        ColumnSpec("source", "来源", (), imported=False, note="仅导出：签到或补录"),
        ColumnSpec("status", "审核状态", ("状态",), imported=False, note="仅导出：待审核、已通过或已驳回"),
        ColumnSpec("reason", "说明", ("原因", "备注"), imported=False, note="仅导出；导入的记录说明为“导入：文件名”"),
    ),
    one_of=(("phone", "volunteer_no"),),
)

KINDS: dict[str, KindSpec] = {k.name: k for k in (VOLUNTEERS, TEAMS, MEMBERSHIPS, ACTIVITIES, SERVICE_RECORDS)}


def kind_spec(name: str) -> KindSpec:
    """The spec of a kind named in a URL or on the command line."""
    if name not in KINDS:
        raise NotFound(f"不支持的类型 {name[:40]}：可选 {', '.join(KINDS)}", code="unknown_kind")
    return KINDS[name]


# ---- finding the header row -------------------------------------------------------------------

HEADER_SEARCH_ROWS = 20


@dataclass(slots=True)
class HeaderMap:
    """Where each field's column is, what its header said, and where the data starts."""

    row: int  # index (0-based) of the last header row in the raw rows
    columns: dict[str, int]  # field -> column index
    headers: dict[str, str]  # field -> header text as written in the file
    ignored: list[str]
    labels: dict[str, str]  # field -> the spec's Chinese header, for errors about columns the file lacks


def _header_score(spec: KindSpec, cells: list[Any]) -> int:
    return len({spec.by_header[h].field for c in cells if (h := normalise_header(c)) in spec.by_header})


def locate_header(spec: KindSpec, rows: list[list[Any]]) -> HeaderMap:
    """The header among the first rows (a title row may come first; cells may be merged over two rows)."""
    scores = [_header_score(spec, r) for r in rows[:HEADER_SEARCH_ROWS]]
    if not scores or max(scores) == 0:
        names = "、".join(c.header for c in spec.columns if c.required)
        raise Invalid(
            f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中没有可识别的列名（{spec.label}表应有 {names} 等列）",
            field="file",
            code="missing_header",
        )
    at = scores.index(max(scores))
    width = max(len(r) for r in rows[: at + 2])
    labels = [_cell(rows[at], i) for i in range(width)]
    # A merged cell keeps its text in its first row: fill blanks from the row above,
    # and take a second header row below when it names columns this one does not.
    if at > 0:
        labels = [label or _known(spec, _cell(rows[at - 1], i)) for i, label in enumerate(labels)]
    below = rows[at + 1] if at + 1 < len(rows) else []
    if any(_known(spec, _cell(below, i)) and not _known(spec, labels[i]) for i in range(width)):
        labels = [_known(spec, _cell(below, i)) or label for i, label in enumerate(labels)]
        at += 1
    return _map_columns(spec, labels, at)


def _cell(row: list[Any], index: int) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()


def _known(spec: KindSpec, text: str) -> str:
    return text if normalise_header(text) in spec.by_header else ""


def _map_columns(spec: KindSpec, labels: list[str], at: int) -> HeaderMap:
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, label in enumerate(labels):
        if not label:
            continue
        column = spec.by_header.get(normalise_header(label))
        if column is None or not column.imported:
            ignored.append(label)
            continue
        if column.field in columns:
            raise Invalid(
                f"“{headers[column.field]}”和“{label}”是同一列（{column.header}），请只保留一列",
                field="file",
                code="duplicate_column",
            )
        columns[column.field] = index
        headers[column.field] = label
    missing = [c.header for c in spec.columns if c.required and c.field not in columns]
    missing += [
        "或".join(spec.column(f).header for f in group) for group in spec.one_of if not set(group) & set(columns)
    ]
    if missing:
        raise Invalid(
            f"缺少必需的列：{'、'.join(missing)}（表头在第 {at + 1} 行）",
            field="file",
            code="missing_columns",
            extra={"missing": missing},
        )
    named = {c.field: c.header for c in spec.columns}
    return HeaderMap(row=at, columns=columns, headers=headers, ignored=ignored, labels=named)
