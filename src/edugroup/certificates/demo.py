"""Demo demonstration-lesson certificates for 示例区 (school years 2024 and 2025), built to show a realistic
mix of verdicts:

| clause | 2024 | 2025 |
|---|---|---|
| OH-11 SL-C2 certificates <= 15% of teachers | 2 over the limit (history entered before the limit was checked) | exactly the limit, met |
| OH-12 certificates per teacher <= 2 | one teacher holds 3 (history), not met | one teacher holds 2, met |
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy.orm import Session

from edugroup.certificates import service
from edugroup.certificates.models import Certificate, CertificateKind
from edugroup.org.demo import DemoWorld
from edugroup.org.models import Group, Region
from edugroup.teachers.demo import staffed_groups
from edugroup.teachers.models import Teacher

LESSONS = [
    "大单元教学: 单元导入课",
    "跨学科主题学习展示课",
    "作业设计与课堂反馈",
    "分层教学示范课",
    "实验探究示范课",
]


def load_demo(session: Session, world: DemoWorld) -> None:
    """Certificates for the synthetic region (see the module's table)."""
    region, groups, rng = world.region, world.groups, world.rng
    members, teachers = staffed_groups(session, groups, ("SL-C1", "SL-C2", "SL-T1"), date(2025, 9, 1))
    session.add_all(_certificates(session, region, groups, members, teachers, rng))
    session.flush()


def _certificates(
    session: Session,
    region: Region,
    groups: dict[str, Group],
    members: dict[str, list[int]],
    teachers: dict[int, list[Teacher]],
    rng: random.Random,
) -> list[Certificate]:
    """SL-C2 at its limit in 2025 and two over it in 2024; SL-T1 and SL-C1 well inside; one teacher with three
    certificates in 2024 and two in 2025."""
    records = []
    number = 0

    def issue(group: Group, teacher: Teacher, year: int, k: int) -> None:
        nonlocal number
        number += 1
        records.append(
            Certificate(
                region_id=region.id,
                kind=CertificateKind.district_demonstration_lesson,
                teacher_id=teacher.id,
                school_id=teacher.school_id,
                group_id=group.id,
                issued_on=date(year + 1, 1 + k % 5, 10 + k % 15),
                lesson_title=f"{teacher.subject}: {rng.choice(LESSONS)}",
                subject=teacher.subject,
                number=f"示例区示范课〔{year}〕{number:03d}号",
                note="2024学年历史数据 (录入上限检查启用前)" if year == 2024 else None,
            )
        )

    for year in (2024, 2025):
        limits = service.certificate_limits(session, region.id, year)
        counts = service.group_teacher_counts(session, [groups["SL-C2"]], year, limits)
        limit = service.Quota(groups["SL-C2"], year, counts.get(groups["SL-C2"].id, 0), limits, 0).limit
        assert limit is not None, "the demo region's packs cap certificates (OH-11)"
        pool = [t for s in members["SL-C2"] for t in teachers[s]]
        wanted = limit + 2 if year == 2024 else limit
        for k in range(wanted):
            issue(groups["SL-C2"], pool[k % len(pool)], year, k)
        busy = teachers[members["SL-T1"][0]][0]
        for k in range(3 if year == 2024 else 2):
            issue(groups["SL-T1"], busy, year, k)
        for k, school_id in enumerate(members["SL-T1"][1:] + members["SL-C1"]):
            group = groups["SL-T1"] if school_id in members["SL-T1"] else groups["SL-C1"]
            issue(group, teachers[school_id][1], year, k)
    return records
