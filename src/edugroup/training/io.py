"""Training records in files and forms (培训与展示学分): their columns and service functions; credits,
school year and names are read-only columns."""

from __future__ import annotations

from edugroup.core.sheets import (
    END,
    NOTE,
    START,
    Column,
    Kind,
    attr,
    code,
    group_column,
    label,
    number,
    one_of,
    whole,
)
from edugroup.training import service
from edugroup.training.models import TRAINING_KIND_LABELS, TRAINING_LEVEL_LABELS, TrainingKind, TrainingLevel
from edugroup.training.schemas import TrainingCreate, TrainingUpdate

TRAINING = [
    Column("教师工号", "teacher_id", True, "", code("teachers", "教师工号"), attr("teacher", "staff_number")),
    Column("教师姓名", "teacher_name", parse=None, show=attr("teacher", "name")),
    Column(
        "类型",
        "kind",
        False,
        "培训 / 展示交流/教科研活动 (默认培训)",
        one_of(TRAINING_KIND_LABELS, TrainingKind, {"展示交流": TrainingKind.showcase}),
        label(TRAINING_KIND_LABELS, "kind"),
        choices={k.value: v for k, v in TRAINING_KIND_LABELS.items()},
    ),
    Column(
        "级别",
        "level",
        True,
        "市级 / 区级 / 学区/集团 / 校本",
        one_of(
            TRAINING_LEVEL_LABELS,
            TrainingLevel,
            {"市": TrainingLevel.city, "区": TrainingLevel.district, "学区集团": TrainingLevel.group}
            | {"学区": TrainingLevel.group, "集团": TrainingLevel.group, "校级": TrainingLevel.school},
        ),
        label(TRAINING_LEVEL_LABELS, "level"),
        choices={k.value: v for k, v in TRAINING_LEVEL_LABELS.items()},
    ),
    Column("名称", "title", True, "培训或展示活动的名称", show=attr("title")),
    START,
    END,
    Column("学时", "hours", True, "如 12 或 4.5", number, attr("hours")),
    group_column("组织集团代码", help="学区/集团级须填写组织集团或组织学区"),
    Column(
        "组织学区代码",
        "district_id",
        False,
        "",
        code("districts", "学区代码"),
        attr("district", "code"),
        options="districts",
    ),
    Column("组织单位", "organiser", False, "如 市教委、区教育学院", show=attr("organiser")),
    Column("关联活动编号", "activity_id", False, "展示交流对应的活动记录编号", whole, attr("activity_id")),
    NOTE,
    Column("学年", "school_year", parse=None, show=attr("school_year")),
    Column("每学时学分", "credit_rate", parse=None, show=attr("credit_rate")),
    Column("学分", "credits", parse=None, show=attr("credits")),
]

KIND = Kind(
    "training",
    "培训与展示学分",
    TRAINING,
    TrainingCreate,
    TrainingUpdate,
    service.create_training,
    service.update_training,
    service.get_training,
    service.delete_training,
    service.list_training,
)
