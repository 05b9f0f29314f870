"""Demo training records for 示例区: two school years (2024, 2025) of training at all four levels for eight
teachers of each school of SL-T1, and a group-level showcase (SH-10)."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.activities.models import Activity, ActivityKind
from edugroup.core.periods import SchoolYear
from edugroup.org.demo import DemoWorld
from edugroup.org.models import Group, Region
from edugroup.teachers.demo import staffed_groups
from edugroup.teachers.models import Teacher
from edugroup.training import service
from edugroup.training.models import TrainingKind, TrainingLevel, TrainingRecord

TRAININGS = {
    TrainingLevel.city: ["上海市中小学教师新课标专题培训", "市级骨干教师高级研修班"],
    TrainingLevel.district: ["区级学科教学能力提升培训", "区教育学院作业设计专题研修"],
    TrainingLevel.group: ["集团大单元教学设计联合研修", "集团青年教师成长营", "学区跨校课堂观察工作坊"],
    TrainingLevel.school: ["校本研修: 课堂提问的有效性", "校本研修: 信息技术与学科融合"],
}
HOURS = {
    TrainingLevel.city: 24.0,
    TrainingLevel.district: 16.0,
    TrainingLevel.group: 12.0,
    TrainingLevel.school: 8.0,
}


def load_demo(session: Session, world: DemoWorld) -> None:
    """Training records for the synthetic region."""
    region, groups, rng = world.region, world.groups, world.rng
    members, teachers = staffed_groups(session, groups, ("SL-T1",), date(2025, 9, 1))
    session.add_all(_training(session, region, groups["SL-T1"], members["SL-T1"], teachers, rng))
    session.flush()


def _training(
    session: Session,
    region: Region,
    group: Group,
    schools: list[int],
    teachers: dict[int, list[Teacher]],
    rng: random.Random,
) -> list[TrainingRecord]:
    """Two school years of training for eight teachers of each school of SL-T1, at all four levels."""
    rule = service.credit_rule(session, region.id)
    showcase = session.scalar(
        select(Activity).where(
            Activity.group_id == group.id,
            Activity.kind == ActivityKind.showcase,
            Activity.occurred_on >= SchoolYear(2025).start,
        )
    )
    records = []
    for school_id in schools:
        for teacher in teachers[school_id][:8]:
            for year in (2024, 2025):
                for level in rng.sample(list(TrainingLevel), 3):
                    hours = HOURS[level] * rng.choice((0.5, 1.0, 1.5))
                    started = SchoolYear(year).start.replace(
                        month=rng.choice((10, 11, 12)), day=rng.randint(1, 28)
                    )
                    records.append(
                        TrainingRecord(
                            region_id=region.id,
                            teacher_id=teacher.id,
                            kind=TrainingKind.training,
                            level=level,
                            title=rng.choice(TRAININGS[level]),
                            started_on=started,
                            hours=hours,
                            credit_rate=rule.credits_per_hour[level],
                            credits=rule.credits(level, hours),
                            group_id=group.id if level is TrainingLevel.group else None,
                            organiser={
                                TrainingLevel.city: "市教委",
                                TrainingLevel.district: "区教育学院",
                            }.get(level),
                        )
                    )
            if showcase is not None and teacher is teachers[school_id][0]:
                level = TrainingLevel.group
                records.append(
                    TrainingRecord(
                        region_id=region.id,
                        teacher_id=teacher.id,
                        kind=TrainingKind.showcase,
                        level=level,
                        title=f"展示交流: {showcase.title}",
                        started_on=showcase.occurred_on,
                        hours=6.0,
                        credit_rate=rule.credits_per_hour[level],
                        credits=rule.credits(level, 6.0),
                        group_id=group.id,
                        activity_id=showcase.id,
                        note="学区集团层面的展示活动, 按高于校级的原则认定 (SH-10)",
                    )
                )
    return records
