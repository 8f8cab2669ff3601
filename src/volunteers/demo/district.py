"""The demo district's fixed shape: areas and populations, practice sites, and 60 teams.

Modelled on the report in docs/architecture.md ("What the system is"): a high-tech zone of 207,646 residents
whose book houses and practice stations run the activities. Names are realistic but made up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

DEFAULT_SEED = 1921  # the year 心社 was founded; any seed gives the same headline figures
DISTRICT_CODE = "GX"
DISTRICT_NAME = "高新区"
RESIDENT_POPULATION = 207_646
PREVIOUS_POPULATION = 204_931
POPULATION_SOURCE = "演示数据"

# (code, street, communities): 5 streets, 21 communities.
STREETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("HX", "华新街道", ("陆家社区", "华新社区", "立新社区", "杨柳社区", "祝融社区")),
    ("YC", "雁城街道", ("雁城社区", "金龙社区", "船山社区", "长丰社区")),
    ("ZY", "蒸阳街道", ("蒸阳社区", "湘桂社区", "红湘社区", "光明社区")),
    ("JF", "解放街道", ("解放社区", "工友社区", "和平社区", "新民社区")),
    ("YP", "岳屏街道", ("岳屏社区", "衡州社区", "崇德社区", "科创社区")),
)
_STREET_WEIGHTS = (1.3, 1.0, 0.95, 0.9, 1.05)
_ROADS = (
    "华新路",
    "长丰大道",
    "解放大道",
    "蒸湘北路",
    "船山大道",
    "衡州大道",
    "雁城路",
    "芙蓉路",
    "湘江北路",
    "岳屏路",
)

# (name, kind, where): where is a community name, a street name or the district's name.
_NAMED_VENUES: tuple[tuple[str, str, str], ...] = (
    ("高新区新时代文明实践中心", "centre", DISTRICT_NAME),
    ("心社1921衡阳文化书社", "book_house", DISTRICT_NAME),
    ("陆家书屋", "book_house", "陆家社区"),
    ("工友书屋", "book_house", "工友社区"),
    ("衡州小学", "school", "衡州社区"),
    ("高新实验中学", "school", "科创社区"),
    ("华新农贸市场", "market", "华新社区"),
)

# (team, sponsor, where, service categories)
_DEPARTMENT_TEAMS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("高新区新时代文明实践志愿服务总队", "高新区党工委宣传部", DISTRICT_NAME, ("理论宣讲", "文明实践")),
    ("高新区青年志愿服务队", "共青团高新区工委", DISTRICT_NAME, ("关爱儿童", "环境保护")),
    ("高新区巾帼志愿服务队", "高新区妇联", DISTRICT_NAME, ("家庭教育", "关爱儿童")),
    ("高新区健康义诊志愿服务队", "高新区卫生健康局", DISTRICT_NAME, ("卫生健康",)),
    ("高新区应急救援志愿服务队", "高新区应急管理局", DISTRICT_NAME, ("应急救援", "平安建设")),
    ("高新区法律服务志愿服务队", "高新区社会事务局", DISTRICT_NAME, ("法律服务",)),
    ("高新区文化文艺志愿服务队", "高新区文化旅游体育局", DISTRICT_NAME, ("文化文艺",)),
    ("高新区科普志愿服务队", "高新区科技创新局", DISTRICT_NAME, ("科普宣传",)),
    ("高新区退役军人志愿服务队", "高新区退役军人服务站", DISTRICT_NAME, ("平安建设", "理论宣讲")),
    ("高新区助残志愿服务队", "高新区残疾人联合会", DISTRICT_NAME, ("助老助残",)),
    ("心社1921读书会志愿服务队", "心社1921衡阳文化书社", DISTRICT_NAME, ("理论宣讲", "文化文艺")),
    ("工友书屋志愿服务队", "高新区总工会", "工友社区", ("文化文艺", "关爱职工")),
    ("陆家书屋阅读推广志愿服务队", "陆家社区居民委员会", "陆家社区", ("文化文艺", "关爱儿童")),
)
_SCHOOL_TEAMS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("衡州小学红领巾志愿服务队", "衡州小学", "衡州社区", ("环境保护", "文明实践")),
    ("衡州小学家长志愿服务队", "衡州小学", "衡州社区", ("家庭教育", "交通文明")),
    ("高新实验中学青春志愿服务队", "高新实验中学", "科创社区", ("关爱儿童", "科普宣传")),
    ("华新小学护苗志愿服务队", "华新小学", "华新社区", ("交通文明", "关爱儿童")),
    ("雁城中学青年志愿服务队", "雁城中学", "雁城社区", ("环境保护",)),
    ("船山实验小学家长志愿服务队", "船山实验小学", "船山社区", ("家庭教育",)),
    ("岳屏小学家长志愿服务队", "岳屏小学", "岳屏社区", ("交通文明", "家庭教育")),
)
_COMPANY_TEAMS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("金化科技青年志愿服务队", "金化科技", "科创社区", ("科普宣传", "环境保护")),
    ("衡缘电子党员志愿服务队", "衡缘电子", "崇德社区", ("理论宣讲", "助老助残")),
    ("雁能新材料志愿服务队", "雁能新材料", "金龙社区", ("环境保护",)),
    ("湘南智造职工志愿服务队", "湘南智造", "长丰社区", ("关爱职工", "应急救援")),
    ("蒸湘电力志愿服务队", "蒸湘电力", "蒸阳社区", ("应急救援", "科普宣传")),
    ("华新物流志愿服务队", "华新物流", "立新社区", ("交通文明",)),
    ("衡岳医药志愿服务队", "衡岳医药", "红湘社区", ("卫生健康",)),
    ("中南光电党员志愿服务队", "中南光电", "光明社区", ("理论宣讲",)),
    ("湘江银行高新支行志愿服务队", "湘江银行高新支行", "解放社区", ("法律服务", "助老助残")),
)
_STREET_TEAMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("红色先锋志愿服务队", "办事处", ("理论宣讲", "文明实践")),
    ("平安巡防志愿服务队", "综治中心", ("平安建设", "交通文明")),
)
_COMMUNITY_MOTTOS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("邻里守望", ("助老助残", "平安建设")),
    ("银龄互助", ("助老助残", "卫生健康")),
    ("四点半课堂", ("关爱儿童", "家庭教育")),
    ("红色物业", ("文明实践", "环境保护")),
    ("环境美化", ("环境保护",)),
    ("睦邻友好", ("文化文艺", "文明实践")),
)
TEAM_COUNT = 60


@dataclass(frozen=True, slots=True)
class AreaPlan:
    """One area of the tree; `path` is `/code/…/code/` as the areas domain keeps it."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str


@dataclass(frozen=True, slots=True)
class PopulationPlan:
    """A resident-population row."""

    area_id: int
    year: int
    resident_population: int
    as_of: date


@dataclass(frozen=True, slots=True)
class VenuePlan:
    """A practice site."""

    id: int
    name: str
    kind: str
    area_id: int
    address: str


@dataclass(frozen=True, slots=True)
class TeamPlan:
    """A volunteer team and its sponsoring unit."""

    id: int
    name: str
    area_id: int
    sponsor: str
    founded_on: date
    categories: tuple[str, ...]


@dataclass(slots=True)
class District:
    """The areas, populations, venues and teams, with lookups the later steps need."""

    district: AreaPlan
    streets: list[AreaPlan]
    communities: list[AreaPlan]
    population: list[PopulationPlan]
    venues: list[VenuePlan] = field(default_factory=list)
    teams: list[TeamPlan] = field(default_factory=list)
    street_of: dict[int, int] = field(default_factory=dict)  # community id -> street id
    residents: dict[int, int] = field(default_factory=dict)  # community id -> population in the as-of year

    @property
    def areas(self) -> list[AreaPlan]:
        """Every area, parents before children."""
        return [self.district, *self.streets, *self.communities]


def plan_district(rng: random.Random, as_of: date) -> District:
    """The district as of `as_of`: areas, two years of population, venues and teams."""
    district = AreaPlan(1, DISTRICT_CODE, DISTRICT_NAME, "district", None, f"/{DISTRICT_CODE}/")
    streets: list[AreaPlan] = []
    communities: list[AreaPlan] = []
    street_of: dict[int, int] = {}
    next_id = 2
    for code, name, _ in STREETS:
        street_code = f"{DISTRICT_CODE}-{code}"
        streets.append(AreaPlan(next_id, street_code, name, "street", district.id, f"{district.path}{street_code}/"))
        next_id += 1
    for street, (_, _, names) in zip(streets, STREETS, strict=True):
        for number, name in enumerate(names, start=1):
            code = f"{street.code}-{number:02d}"
            communities.append(AreaPlan(next_id, code, name, "community", street.id, f"{street.path}{code}/"))
            street_of[next_id] = street.id
            next_id += 1
    plan = District(district, streets, communities, [], street_of=street_of)
    _plan_population(rng, plan, as_of)
    _plan_venues(rng, plan)
    _plan_teams(rng, plan, as_of)
    return plan


def split(total: int, weights: list[float]) -> list[int]:
    """`total` in whole parts proportional to `weights` (largest remainders get the rest)."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _plan_population(rng: random.Random, plan: District, as_of: date) -> None:
    """Rows for the as-of year and the one before; communities add up to streets, streets to the district."""
    community_weights = {c.id: rng.uniform(0.7, 1.3) for c in plan.communities}
    years = (
        (as_of.year, RESIDENT_POPULATION, as_of),
        (as_of.year - 1, PREVIOUS_POPULATION, date(as_of.year - 1, 12, 31)),
    )
    for year, total, counted_on in years:
        plan.population.append(PopulationPlan(plan.district.id, year, total, counted_on))
        drift = [w * rng.uniform(0.98, 1.02) for w in _STREET_WEIGHTS]
        for street, street_total in zip(plan.streets, split(total, drift), strict=True):
            plan.population.append(PopulationPlan(street.id, year, street_total, counted_on))
            members = [c for c in plan.communities if plan.street_of[c.id] == street.id]
            weights = [community_weights[c.id] * rng.uniform(0.99, 1.01) for c in members]
            for community, people in zip(members, split(street_total, weights), strict=True):
                plan.population.append(PopulationPlan(community.id, year, people, counted_on))
                if year == as_of.year:
                    plan.residents[community.id] = people


def area_named(plan: District, name: str) -> AreaPlan:
    """The area called `name` (names are unique in the demo district)."""
    for area in plan.areas:
        if area.name == name:
            return area
    raise KeyError(name)


def _address(rng: random.Random, plan: District, area: AreaPlan) -> str:
    street = (
        area if area.level == "street" else next((s for s in plan.streets if s.id == plan.street_of.get(area.id)), None)
    )
    prefix = f"{DISTRICT_NAME}{street.name}" if street else DISTRICT_NAME
    return f"{prefix}{rng.choice(_ROADS)}{rng.randint(1, 399)}号"


def _plan_venues(rng: random.Random, plan: District) -> None:
    """The practice centre, an institute per street, a station per community, book houses, schools, a market."""
    places: list[tuple[str, str, AreaPlan]] = [(n, k, area_named(plan, w)) for n, k, w in _NAMED_VENUES]
    places += [(f"{s.name}新时代文明实践所", "institute", s) for s in plan.streets]
    places += [(f"{c.name}新时代文明实践站", "station", c) for c in plan.communities]
    for number, (name, kind, area) in enumerate(places, start=1):
        plan.venues.append(VenuePlan(number, name, kind, area.id, _address(rng, plan, area)))


def _plan_teams(rng: random.Random, plan: District, as_of: date) -> None:
    """60 teams: departments, street offices, every community, schools and companies."""
    specs: list[tuple[str, str, AreaPlan, tuple[str, ...]]] = [
        (name, sponsor, area_named(plan, where), categories)
        for name, sponsor, where, categories in (*_DEPARTMENT_TEAMS, *_SCHOOL_TEAMS, *_COMPANY_TEAMS)
    ]
    for street in plan.streets:
        for suffix, office, categories in _STREET_TEAMS:
            specs.append((f"{street.name}{suffix}", f"{street.name}{office}", street, categories))
    for number, community in enumerate(plan.communities):
        motto, categories = _COMMUNITY_MOTTOS[number % len(_COMMUNITY_MOTTOS)]
        specs.append((f"{community.name}{motto}志愿服务队", f"{community.name}居民委员会", community, categories))
    assert len(specs) == TEAM_COUNT, len(specs)
    oldest = as_of - timedelta(days=9 * 365)
    for number, (name, sponsor, area, categories) in enumerate(specs, start=1):
        founded = oldest + timedelta(days=rng.randint(0, 7 * 365))
        plan.teams.append(TeamPlan(number, name, area.id, sponsor, founded, categories))
