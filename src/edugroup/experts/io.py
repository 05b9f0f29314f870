"""Expert and observer assignments in files and forms (指导专家与课堂观察员): their columns and service
functions; one column names a teacher of the region by staff number, or an external expert by name."""

from __future__ import annotations

from typing import Any

from edugroup.core.sheets import END, NOTE, START, Column, Kind, attr, code, group_column, label, one_of
from edugroup.core.tabular import cell_text
from edugroup.experts import service
from edugroup.experts.models import ASSIGNMENT_ROLE_LABELS, AssignmentRole
from edugroup.experts.schemas import AssignmentCreate, AssignmentUpdate


def _person(lookups: Any, value: Any) -> dict[str, Any]:
    """A staff number of the region is a teacher; anything else an external expert's name."""
    text = cell_text(value)
    if text in lookups.teachers:
        return {"teacher_id": lookups.teachers[text]}
    return {"expert_name": text}


ASSIGNMENTS = [
    Column(
        "角色",
        "role",
        True,
        "指导专家 / 课堂观察员",
        one_of(ASSIGNMENT_ROLE_LABELS, AssignmentRole),
        label(ASSIGNMENT_ROLE_LABELS, "role"),
        choices={k.value: v for k, v in ASSIGNMENT_ROLE_LABELS.items()},
    ),
    Column(
        "人员",
        "person",
        True,
        "本区教师填工号, 外部专家填姓名",
        _person,
        lambda a: a.teacher.staff_number if a.teacher is not None else a.expert_name,
        aliases=("teacher_id", "expert_name"),
    ),
    Column("姓名", "person_name", parse=None, show=attr("person")),
    Column("工作单位", "affiliation", show=attr("affiliation")),
    Column(
        "学校代码",
        "school_id",
        False,
        "配备到学校 (与项目二选一)",
        code("schools", "学校代码"),
        attr("school", "code"),
        options="schools",
    ),
    group_column("项目代码", help="配备到项目 (集团), 如强校工程"),
    START,
    END,
    NOTE,
]

KIND = Kind(
    "assignments",
    "指导专家与课堂观察员",
    ASSIGNMENTS,
    AssignmentCreate,
    AssignmentUpdate,
    service.create_assignment,
    service.update_assignment,
    service.get_assignment,
    service.delete_assignment,
    service.list_assignments,
)
