"""The demo volunteers: names, phones, ID numbers, registration history, and team memberships.

Exactly REGISTERED volunteers are registered and not withdrawn on the as-of date; WITHDRAWN
more registered earlier and left before it. Ids follow registration order, as they would
in a registry that has been in use for years.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from volunteers.demo.district import District, TeamPlan

REGISTERED = 35_632
WITHDRAWN = 388
SUSPENDED = 41
MINORS = 160
ID_NUMBER_SHARE = 0.42
YEARS_OF_HISTORY = 7

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤欧阳"
)
_MALE = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"  # noqa: E501
_FEMALE = "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝丽阳妮宝贝初程梵罡恒鸿桦骅剑娇纪宽苛灵玛媚琪晴容睿烁堂唯威韦雯苇萱阅彦宇雨洋忠宗曼紫逸贤蝶菡绿蓝儿翠烟"  # noqa: E501
_PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)
# Hengyang's county codes mostly; a few from elsewhere, as people move.
_REGIONS = (
    "430405",
    "430406",
    "430407",
    "430408",
    "430412",
    "430421",
    "430422",
    "430423",
    "430424",
    "430426",
    "430481",
    "430482",
    "431002",
    "430102",
    "440304",
    "360102",
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# (share, lowest age, highest age) at registration, adults only; minors are counted apart.
_AGES = ((0.30, 18, 29), (0.31, 30, 44), (0.23, 45, 59), (0.16, 60, 75))


@dataclass(slots=True)
class VolunteerPlan:
    """One volunteer row, before encryption of the ID number."""

    id: int
    name: str
    phone: str
    id_number: str | None
    gender: str | None
    birth_date: date | None
    area_id: int
    registered_on: date
    status: str
    suspended_on: date | None
    withdrawn_on: date | None
    guardian_name: str | None
    guardian_phone: str | None
    self_registered: bool


@dataclass(frozen=True, slots=True)
class MembershipPlan:
    """A volunteer in a team."""

    team_id: int
    volunteer_id: int
    role: str
    joined_on: date
    left_on: date | None


class Identities:
    """Unique phones, ID numbers and plausible names, all from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()

    def phone(self) -> str:
        """A mainland mobile number not handed out before."""
        while True:
            number = f"{self.rng.choice(_PHONE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def name(self, gender: str, surname: str | None = None) -> str:
        """A surname (or the one given) and a one- or two-character given name."""
        rng = self.rng
        if surname is None:
            surname = "欧阳" if rng.random() < 0.004 else rng.choice(_SURNAMES[:-2])
        pool = _MALE if gender == "male" else _FEMALE
        given = rng.choice(pool) if rng.random() < 0.3 else rng.choice(pool) + rng.choice(pool)
        return surname + given

    def id_number(self, born: date, gender: str) -> str:
        """A valid GB 11643 number for this birth date and gender, not handed out before."""
        rng = self.rng
        while True:
            sequence = rng.randrange(500) * 2 + (1 if gender == "male" else 0)
            body = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{sequence:03d}"
            number = body + _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number


def plan_volunteers(rng: random.Random, plan: District, as_of: date) -> list[VolunteerPlan]:
    """Registered, suspended, withdrawn and minor volunteers, ordered (and numbered) by registration."""
    people = Identities(rng)
    communities = plan.communities
    weights = [plan.residents[c.id] * rng.uniform(0.8, 1.2) for c in communities]
    first_day = as_of - timedelta(days=YEARS_OF_HISTORY * 365)
    drafts: list[VolunteerPlan] = []
    total = REGISTERED + WITHDRAWN
    homes = rng.choices([c.id for c in communities], weights=weights, k=total)
    minors = set(rng.sample(range(total), MINORS))
    for number in range(total):
        withdrawn = number >= REGISTERED
        registered_on = _registration_day(rng, as_of, first_day, early=withdrawn)
        drafts.append(_volunteer(rng, people, homes[number], registered_on, as_of, minor=number in minors))
        if withdrawn:
            draft = drafts[-1]
            draft.status = "withdrawn"
            draft.withdrawn_on = registered_on + timedelta(days=rng.randint(30, max(30, (as_of - registered_on).days)))
            draft.withdrawn_on = min(draft.withdrawn_on, as_of)
    for draft in rng.sample([d for d in drafts if d.status == "active"], SUSPENDED):
        draft.status = "suspended"
        draft.suspended_on = draft.registered_on + timedelta(days=rng.randint(0, (as_of - draft.registered_on).days))
    drafts.sort(key=lambda d: d.registered_on)  # stable: ties keep their drawing order
    for number, draft in enumerate(drafts, start=1):
        draft.id = number
    return drafts


def _registration_day(rng: random.Random, as_of: date, first_day: date, *, early: bool) -> date:
    """More registrations every year, with peaks on 学雷锋日 (3-5) and 国际志愿者日 (12-5)."""
    years_back = rng.choices(range(YEARS_OF_HISTORY), weights=(21, 21, 18, 15, 11, 8, 6))[0]
    if early:
        years_back = min(YEARS_OF_HISTORY - 1, years_back + 2)
    day = as_of - timedelta(days=years_back * 365 + rng.randrange(365))
    if rng.random() < 0.12:
        peak = date(day.year, 3, 5) if rng.random() < 0.6 else date(day.year, 12, 5)
        day = peak + timedelta(days=rng.randint(-3, 6))
    return min(max(day, first_day), as_of)


def _volunteer(
    rng: random.Random, people: Identities, home: int, registered_on: date, as_of: date, *, minor: bool
) -> VolunteerPlan:
    gender = "female" if rng.random() < 0.58 else "male"
    if minor:
        age = rng.randint(10, 17)
    else:
        band = rng.choices(_AGES, weights=[a[0] for a in _AGES])[0]
        age = rng.randint(band[1], band[2])
    born = _years_before(registered_on, age) - timedelta(days=rng.randrange(365))  # exactly `age` on registering
    with_id = rng.random() < ID_NUMBER_SHARE
    id_number = people.id_number(born, gender) if with_id else None
    known_birth = with_id or minor or rng.random() < 0.7
    name = people.name(gender)
    surname = name[:2] if name.startswith("欧阳") else name[0]
    return VolunteerPlan(
        id=0,
        name=name,
        phone=people.phone(),
        id_number=id_number,
        gender=gender if with_id or rng.random() < 0.95 else None,
        birth_date=born if known_birth else None,
        area_id=home,
        registered_on=registered_on,
        status="active",
        suspended_on=None,
        withdrawn_on=None,
        guardian_name=people.name("male" if rng.random() < 0.5 else "female", surname) if minor else None,
        guardian_phone=people.phone() if minor else None,
        self_registered=rng.random() < 0.35,
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def plan_memberships(
    rng: random.Random, plan: District, volunteers: list[VolunteerPlan], as_of: date
) -> list[MembershipPlan]:
    """About two thirds of volunteers in a local team, some in two; one to three leaders per team."""
    choices = _teams_near(plan)
    memberships: list[MembershipPlan] = []
    seen: set[tuple[int, int]] = set()
    for volunteer in volunteers:
        if rng.random() >= 0.66:
            continue
        teams, weights = choices[volunteer.area_id]
        count = 2 if rng.random() < 0.14 else 1
        for team in rng.choices(teams, cum_weights=weights, k=count):
            membership = _membership(rng, team, volunteer, as_of)
            if membership is not None and (team.id, volunteer.id) not in seen:
                seen.add((team.id, volunteer.id))
                memberships.append(membership)
    return _with_leaders(rng, memberships)


def _teams_near(plan: District) -> dict[int, tuple[list[TeamPlan], list[float]]]:
    """Per community: the teams a resident may join, their own community's first, with cumulative weights."""
    near: dict[int, tuple[list[TeamPlan], list[float]]] = {}
    for community in plan.communities:
        street = plan.street_of[community.id]
        teams: list[TeamPlan] = []
        cumulative: list[float] = []
        total = 0.0
        for team in plan.teams:
            if team.area_id == community.id:
                weight = 6.0
            elif team.area_id == street:
                weight = 2.0
            elif team.area_id == plan.district.id:
                weight = 0.6
            elif plan.street_of.get(team.area_id) == street:
                weight = 0.5
            else:
                continue
            total += weight
            teams.append(team)
            cumulative.append(total)
        near[community.id] = (teams, cumulative)
    return near


def _membership(rng: random.Random, team: TeamPlan, volunteer: VolunteerPlan, as_of: date) -> MembershipPlan | None:
    last = volunteer.withdrawn_on or as_of
    joined = max(volunteer.registered_on, team.founded_on) + timedelta(days=rng.choice((0, 0, 0, 7, 30, 90)))
    if joined > last:
        return None
    left = volunteer.withdrawn_on
    if left is None and rng.random() < 0.04:
        left = joined + timedelta(days=rng.randint(0, (as_of - joined).days))
    return MembershipPlan(team.id, volunteer.id, "member", joined, left)


def _with_leaders(rng: random.Random, memberships: list[MembershipPlan]) -> list[MembershipPlan]:
    """Promote one to three current members of each team to leader."""
    current: dict[int, list[int]] = {}
    for index, membership in enumerate(memberships):
        if membership.left_on is None:
            current.setdefault(membership.team_id, []).append(index)
    for team_id in sorted(current):
        for index in rng.sample(current[team_id], min(len(current[team_id]), rng.randint(1, 3))):
            old = memberships[index]
            memberships[index] = MembershipPlan(old.team_id, old.volunteer_id, "leader", old.joined_on, None)
    return memberships
