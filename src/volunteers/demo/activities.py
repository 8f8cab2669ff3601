"""The demo activities: two years of events at the district's venues, across every category.

Times are kept as epoch seconds (Beijing has had no daylight saving since 1991, so local
time is UTC+8 throughout), which keeps the hours arithmetic exact and fast.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from volunteers.demo.district import District, TeamPlan, VenuePlan

_UNIX_EPOCH = date(1970, 1, 1).toordinal()
BEIJING_OFFSET = 8 * 3600
BEIJING = timezone(timedelta(seconds=BEIJING_OFFSET))

# Activities per venue in the year ending on the as-of date; the year before has about half.
_PER_VENUE = {"陆家书屋": 62, "工友书屋": 36, "心社1921衡阳文化书社": 52}
_PER_KIND = {"centre": 36, "institute": 30, "station": 31, "school": 18, "market": 14, "book_house": 30}
# Relative attendance per activity, by kind of venue.
_SIZE = {"book_house": 20.0, "centre": 120.0, "institute": 70.0, "station": 50.0, "school": 50.0, "market": 40.0}
_BOOK_HOUSE = (  # the report's book-house programme
    "reading_salon",
    "party_micro_lecture",
    "parent_child_reading",
    "family_education",
    "youth_startup",
    "neighbourhood_festival",
    "red_film",
)
_KIND_CATEGORIES: dict[str, tuple[str, ...]] = {
    "book_house": _BOOK_HOUSE,
    "centre": ("music_party_history", "public_reading", "youth_startup", "party_micro_lecture", "onsite_talk"),
    "institute": ("onsite_talk", "party_micro_lecture", "music_party_history", "public_reading", "square_story"),
    "station": (
        "onsite_talk",
        "square_story",
        "neighbourhood_festival",
        "red_film",
        "party_micro_lecture",
        "family_education",
        "parent_child_reading",
        "public_reading",
    ),
    "school": ("campus_forum", "parent_child_reading", "family_education"),
    "market": ("square_story", "neighbourhood_festival"),
}
_DISTRICT_BOOK_HOUSE = ("reading_salon", "public_reading", "party_micro_lecture", "music_party_history", "red_film")
_TITLES: dict[str, tuple[str, ...]] = {
    "reading_salon": ("《平凡的世界》", "《红岩》", "《乡土中国》", "《人世间》", "《湘行散记》", "湖湘文化名篇"),
    "party_micro_lecture": ("学习党的二十大精神", "船山思想与湖湘精神", "基层治理中的党员先锋", "新时代文明实践怎么做"),
    "parent_child_reading": ("绘本里的中国节", "小小朗读者", "和孩子一起读诗词", "睡前故事会"),
    "family_education": ("如何陪伴青春期的孩子", "好家风润万家", "孩子的手机使用与网络安全", "隔代养育那些事"),
    "youth_startup": ("从车库到园区", "高新区创业政策解读", "电商直播与乡村振兴", "科技青年的第一桶金"),
    "neighbourhood_festival": ("百家宴", "跳蚤市场", "邻里才艺秀", "包饺子迎新春", "端午包粽子"),
    "red_film": ("《长津湖》", "《建党伟业》", "《觉醒年代》选段", "《闪闪的红星》", "《建国大业》"),
    "onsite_talk": ("小区停车难怎么办", "老旧小区加装电梯", "垃圾分类进小区", "物业服务面对面"),
    "square_story": ("身边的好人好事", "衡阳保卫战的故事", "文明家庭讲家风", "志愿者的一天"),
    "campus_forum": ("我心中的志愿精神", "科技强国少年说", "劳动最光荣", "读懂中国"),
    "public_reading": ("共读《论语》", "共读《红星照耀中国》", "诗词里的衡阳", "共读《苏东坡传》"),
    "music_party_history": ("唱支山歌给党听", "歌声里的百年党史", "《东方红》背后的故事", "红歌大家唱"),
}
# (local start hour, minute) choices and (shortest, longest) minutes, by kind of venue.
_TIMES: dict[str, tuple[tuple[tuple[int, int], ...], tuple[int, int]]] = {
    "book_house": (((9, 30), (15, 0), (19, 0)), (90, 120)),
    "centre": (((9, 0), (14, 30)), (150, 240)),
    "institute": (((9, 0), (14, 30)), (120, 180)),
    "station": (((9, 0), (9, 30), (15, 0), (19, 30)), (90, 180)),
    "school": (((15, 30),), (90, 90)),
    "market": (((8, 30),), (120, 180)),
}


@dataclass(slots=True)
class Category:
    """A row of activity_category."""

    id: int
    code: str
    name: str


@dataclass(slots=True)
class ActivityPlan:
    """One activity; `sessions` are its days' (start, end) epoch seconds, the check-in window per day."""

    id: int
    title: str
    category_id: int
    area_id: int
    venue_id: int
    starts_at: int
    ends_at: int
    sessions: tuple[tuple[int, int], ...]
    status: str
    opens_before: int
    closes_after: int
    rounding: int
    daily_cap: int
    reentry: bool
    approval: str
    created_at: int
    size: float
    team_ids: tuple[int, ...] = ()
    code: str | None = None
    old_code: str | None = None
    capacity: int | None = None
    participants: int = 0


@dataclass(slots=True)
class Pool:
    """Activity days to draw attendance from: sorted by day, with cumulative weights."""

    days: list[int] = field(default_factory=list)
    entries: list[tuple[int, int]] = field(default_factory=list)  # (activity index, session index)
    cumulative: list[float] = field(default_factory=list)

    def draw(self, rng: random.Random, first_day: int, last_day: int) -> tuple[int, int] | None:
        """A weighted random entry whose day lies in [first_day, last_day], or None."""
        lo = bisect_left(self.days, first_day)
        hi = bisect_right(self.days, last_day)
        if lo >= hi:
            return None
        base = self.cumulative[lo - 1] if lo else 0.0
        target = base + rng.random() * (self.cumulative[hi - 1] - base)
        return self.entries[min(bisect_right(self.cumulative, target, lo, hi), hi - 1)]


def epoch(day: date, hour: int, minute: int = 0) -> int:
    """Epoch seconds of a Beijing wall-clock time."""
    return (day.toordinal() - _UNIX_EPOCH) * 86400 + hour * 3600 + minute * 60 - BEIJING_OFFSET


def at(seconds: int) -> datetime:
    """An aware datetime (Beijing) for epoch seconds."""
    return datetime.fromtimestamp(seconds, BEIJING)


def day_of(seconds: int) -> int:
    """The Beijing date (as an ordinal) of an instant."""
    return (seconds + BEIJING_OFFSET) // 86400 + _UNIX_EPOCH


def plan_activities(
    rng: random.Random, plan: District, categories: list[Category], as_of: date, new_code: Callable[[], str]
) -> list[ActivityPlan]:
    """Completed activities over two years, some cancelled, and a fortnight of published ones from as_of."""
    by_code = {c.code: c for c in categories}
    activities: list[ActivityPlan] = []
    window_start = as_of - timedelta(days=364)
    previous_start = as_of - timedelta(days=729)
    for venue in plan.venues:
        count = _PER_VENUE.get(venue.name, _PER_KIND[venue.kind])
        kinds = _categories_for(venue, plan, by_code, categories)
        for first, days, share in ((window_start, 364, 1.0), (previous_start, 365, 0.5)):
            for day in _days(rng, first, days, round(count * share), venue.kind):
                activities.append(_activity(rng, plan, venue, kinds[len(activities) % len(kinds)], day))
        for offset in (0, 3, 6, 10, 13):
            if venue.kind in ("book_house", "centre") or rng.random() < 0.15:
                activities.append(_activity(rng, plan, venue, rng.choice(kinds), as_of + timedelta(days=offset)))
    _cover_every_category(rng, plan, activities, categories)
    activities.sort(key=lambda a: (a.starts_at, a.venue_id))
    today = as_of.toordinal()
    for number, activity in enumerate(activities, start=1):
        activity.id = number
        activity.team_ids = _organisers(rng, plan, activity)
        first_day = day_of(activity.starts_at)
        if first_day >= today:
            activity.status = "draft" if rng.random() < 0.1 else "published"
        elif rng.random() < 0.015:
            activity.status = "cancelled"
        else:
            activity.status = "completed"
        if activity.status != "draft":
            activity.code = new_code()
            if rng.random() < 0.04:
                activity.old_code = new_code()
    return activities


def _categories_for(
    venue: VenuePlan, plan: District, by_code: dict[str, Category], categories: list[Category]
) -> list[Category]:
    """The categories a venue's programme cycles through (each category somewhere)."""
    codes = _DISTRICT_BOOK_HOUSE if venue.kind == "book_house" and venue.area_id == plan.district.id else None
    chosen = [by_code[c] for c in (codes or _KIND_CATEGORIES[venue.kind]) if c in by_code]
    if venue.kind == "station":  # categories added by staff, beyond the seeded ones
        known = {c for codes in _KIND_CATEGORIES.values() for c in codes}
        chosen += [c for c in categories if c.code not in known]
    return chosen or list(categories)


def _cover_every_category(
    rng: random.Random, plan: District, activities: list[ActivityPlan], categories: list[Category]
) -> None:
    """Make sure no category is left without activities (e.g. one no venue kind lists)."""
    used = {a.category_id for a in activities}
    stations = [a for a in activities if plan.venues[a.venue_id - 1].kind == "station"]
    for category in categories:
        if category.id not in used and stations:
            for activity in rng.sample(stations, min(6, len(stations))):
                activity.category_id = category.id
                activity.title = f"{category.name}：社区专场"


def _days(rng: random.Random, first: date, days: int, count: int, kind: str) -> list[date]:
    """`count` days in [first, first + days), busier at weekends, in March and December."""
    candidates = [first + timedelta(days=d) for d in range(days)]
    weights = []
    for day in candidates:
        weekend = day.weekday() >= 5
        weight = (0.0 if weekend else 1.0) if kind == "school" else (2.2 if weekend else 1.0)
        weight *= {3: 1.6, 12: 1.25, 1: 0.7, 2: 0.6, 7: 0.85, 8: 0.85}.get(day.month, 1.0)
        weights.append(weight)
    return rng.choices(candidates, weights=weights, k=count)


def _activity(rng: random.Random, plan: District, venue: VenuePlan, category: Category, day: date) -> ActivityPlan:
    starts, (shortest, longest) = _TIMES[venue.kind]
    hour, minute = rng.choice(starts)
    if venue.kind == "book_house" and day.weekday() < 5:
        hour, minute = 19, 0
    length = rng.randrange(shortest, longest + 1, 30)
    daily_cap = 720
    sessions: list[tuple[int, int]]
    if category.code == "neighbourhood_festival" and venue.kind in ("station", "market"):
        hour, minute, length = 9, 0, 420
        daily_cap = 240 if rng.random() < 0.5 else 720
        days = 2 if rng.random() < 0.2 else 1
        sessions = [(epoch(day + timedelta(days=d), 9), epoch(day + timedelta(days=d), 16)) for d in range(days)]
    else:
        start = epoch(day, hour, minute)
        sessions = [(start, start + length * 60)]
    titles = _TITLES.get(category.code)
    title = f"{category.name}：{rng.choice(titles)}" if titles else f"{category.name}（{venue.name}）"
    rounding = rng.choices((1, 15, 30), weights=(70, 20, 10))[0]
    return ActivityPlan(
        id=0,
        title=title,
        category_id=category.id,
        area_id=venue.area_id,
        venue_id=venue.id,
        starts_at=sessions[0][0],
        ends_at=sessions[-1][1],
        sessions=tuple(sessions),
        status="completed",
        opens_before=60 if rng.random() < 0.15 else 30,
        closes_after=30,
        rounding=rounding,
        daily_cap=daily_cap,
        reentry=len(sessions) > 1,
        approval="staff" if rng.random() < 0.2 else "auto",
        created_at=sessions[0][0] - rng.randint(3, 21) * 86400 - rng.randint(0, 8) * 3600,
        size=_SIZE[venue.kind] * rng.uniform(0.5, 1.5),
    )


def _organisers(rng: random.Random, plan: District, activity: ActivityPlan) -> tuple[int, ...]:
    """The venue's own team (matched by name) or a local one, sometimes with a second team."""
    venue = plan.venues[activity.venue_id - 1]
    home = [t for t in plan.teams if t.name[:4] == venue.name[:4]]
    local = _local_teams(plan, venue.area_id)
    first = rng.choice(home or local)
    second = rng.choice(local) if rng.random() < 0.35 else first
    return (first.id,) if second.id == first.id else (first.id, second.id)


def _local_teams(plan: District, area_id: int) -> list[TeamPlan]:
    """Teams of the venue's own area, else of its street, else the district's."""
    street = plan.street_of.get(area_id, area_id)
    own = [t for t in plan.teams if t.area_id == area_id]
    nearby = [t for t in plan.teams if street in (t.area_id, plan.street_of.get(t.area_id))]
    return own or nearby or plan.teams


def pools(plan: District, activities: list[ActivityPlan]) -> dict[str, dict[int, Pool]]:
    """Completed activity days to draw attendance from, per community: its own, its street's, the district's."""
    own: dict[int, Pool] = {c.id: Pool() for c in plan.communities}
    street: dict[int, Pool] = {s.id: Pool() for s in plan.streets}
    district = Pool()
    entries = [
        (day_of(start), index, session)
        for index, activity in enumerate(activities)
        if activity.status == "completed"
        for session, (start, _) in enumerate(activity.sessions)
    ]
    entries.sort()
    for day, index, session in entries:
        activity = activities[index]
        targets = [district]
        if activity.area_id in own:
            targets.append(own[activity.area_id])
        street_id = plan.street_of.get(activity.area_id, activity.area_id)
        if street_id in street:
            targets.append(street[street_id])
        for pool in targets:
            pool.days.append(day)
            pool.entries.append((index, session))
            pool.cumulative.append((pool.cumulative[-1] if pool.cumulative else 0.0) + activity.size)
    return {
        "own": own,
        "street": {c.id: street[plan.street_of[c.id]] for c in plan.communities},
        "district": {c.id: district for c in plan.communities},
    }
