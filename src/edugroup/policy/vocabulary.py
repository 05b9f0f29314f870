"""The words packs, the engine and the domains share: entity types, breakdowns, activity kinds, showcase
levels and verdicts, each with its Chinese label. It imports nothing of edugroup, so every layer may use it
through `edugroup.policy.contract`."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, get_args

# --- entities and breakdowns ---------------------------------------------------------------------------

EntityType = Literal[
    "city",
    "region",
    "district",
    "group",
    "school",
    "teacher",
    "studio",
    "team_inflow",
    "promotion",
    "appointment",
    "principal_assessment",
]
"""What a rule is evaluated for, one verdict per entity.

- `city`: all regions of the database together (市级, e.g. SH-01's city-wide share).
- `region`: one 区 (the bureau's area).
- `district`: a 学区 (geographic, long-lived).
- `group`: an education group of any mode — 集团, 教共体 (a co-build pair is a group of mode `co-build`),
  联盟型集团 (mode `alliance`), 协作体 (mode `collaborative`), or a programme such as 强校工程 (mode
  `programme`). Narrow with the scope filter `group_mode`.
- `school`, `teacher`: as recorded; narrow with the scope filters.
- `studio`: a 名师/名校长工作室 or similar community with members and activities.
- `team_inflow`: one 组团流入 (a team of teachers rotating into one school together; HK-09).
- `promotion`: one promotion of a teacher to a school leadership post (提任校级干部; HK-05, SH-05).
- `appointment`: one appointment or transfer of a member school's principal (提任或转任成员校校长; SH-04).
- `principal_assessment`: one annual assessment of a member school's principal (SH-15).
"""

ENTITY_TYPES: tuple[EntityType, ...] = get_args(EntityType)

ENTITY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "city": "市",
        "region": "区",
        "district": "学区",
        "group": "集团",
        "school": "学校",
        "teacher": "教师",
        "studio": "工作室",
        "team_inflow": "组团流入",
        "promotion": "干部提任",
        "appointment": "成员校校长任命",
        "principal_assessment": "成员校校长年度考核",
    }
)

Breakdown = Literal["subject", "stage", "respondent_group"]
"""A dimension a rule is evaluated separately for, inside each entity (HK-18: per stage per subject)."""

BREAKDOWNS: tuple[Breakdown, ...] = get_args(Breakdown)


class ActivityKind(enum.StrEnum):
    """The closed list of activity kinds the activities domain records and rules count."""

    joint_research = "joint_research"
    collective_research = "collective_research"
    public_lesson = "public_lesson"
    research_lesson = "research_lesson"
    demonstration_lesson = "demonstration_lesson"
    working_meeting = "working_meeting"
    student_exchange = "student_exchange"
    studio_activity = "studio_activity"
    classroom_observation = "classroom_observation"
    teacher_event = "teacher_event"
    programme_meeting = "programme_meeting"
    showcase = "showcase"
    joint_lesson_prep = "joint_lesson_prep"
    teaching_contest = "teaching_contest"
    cooperative_research = "cooperative_research"


ACTIVITY_KINDS: tuple[str, ...] = tuple(kind.value for kind in ActivityKind)

ACTIVITY_KIND_LABELS: Mapping[ActivityKind, str] = MappingProxyType(
    {
        ActivityKind.joint_research: "联合教研",
        ActivityKind.collective_research: "集体研修",
        ActivityKind.public_lesson: "公开课",
        ActivityKind.research_lesson: "研讨课",
        ActivityKind.demonstration_lesson: "示范课",
        ActivityKind.working_meeting: "工作例会",
        ActivityKind.student_exchange: "学生交流",
        ActivityKind.studio_activity: "工作室活动",
        ActivityKind.classroom_observation: "课堂观察",
        ActivityKind.teacher_event: "教师活动(理念提升、技能大比武)",
        ActivityKind.programme_meeting: "推进会",
        ActivityKind.showcase: "展示交流",
        ActivityKind.joint_lesson_prep: "联合备课",
        ActivityKind.teaching_contest: "教学比武",
        ActivityKind.cooperative_research: "合作科研",
    }
)


class ShowcaseLevel(enum.StrEnum):
    """Reach of a showcase (展示交流): the level SH-10 and SH-18 read."""

    school = "school"
    district = "district"  # 全区: across the 区
    city = "city"


SHOWCASE_LEVELS: tuple[str, ...] = tuple(level.value for level in ShowcaseLevel)

SHOWCASE_LEVEL_LABELS: Mapping[ShowcaseLevel, str] = MappingProxyType(
    {ShowcaseLevel.school: "校级", ShowcaseLevel.district: "全区", ShowcaseLevel.city: "全市"}
)


Verdict = Literal["met", "not_met", "no_data", "not_implemented"]
"""达标 / 未达标 / 无数据 / 尚未实现 (a metric whose data feature is not built yet: never counted as met)."""

VERDICT_LABELS: Mapping[str, str] = MappingProxyType(
    {"met": "达标", "not_met": "未达标", "no_data": "无数据", "not_implemented": "尚未实现"}
)
