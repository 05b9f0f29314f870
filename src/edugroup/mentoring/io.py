"""Mentoring pairs (师徒结对) and dispatches (教师派遣) in files and forms: their columns and service
functions."""

from __future__ import annotations

from edugroup.core.sheets import END, NOTE, START, Column, Kind, attr, code, group_column, label, one_of
from edugroup.mentoring import service
from edugroup.mentoring.models import DISPATCH_KIND_LABELS, DispatchKind
from edugroup.mentoring.schemas import DispatchCreate, DispatchUpdate, MentoringCreate, MentoringUpdate


def _yes_no(value: bool | None) -> str:
    return "是" if value else "否"


MENTORING = [
    Column("师傅工号", "mentor_id", True, "", code("teachers", "师傅工号"), attr("mentor", "staff_number")),
    Column("师傅姓名", "mentor_name", parse=None, show=attr("mentor", "name")),
    Column(
        "师傅是否骨干教师",
        "mentor_backbone",
        parse=None,
        show=lambda p: _yes_no(service.is_backbone(p.mentor)),
    ),
    Column("徒弟工号", "mentee_id", True, "", code("teachers", "徒弟工号"), attr("mentee", "staff_number")),
    Column("徒弟姓名", "mentee_name", parse=None, show=attr("mentee", "name")),
    group_column("结对集团代码", help="安排结对的集团 (联盟等); 可空"),
    START,
    END,
    Column("学科", "subject", show=attr("subject")),
    NOTE,
]
DISPATCHES = [
    Column(
        "类型",
        "kind",
        True,
        "骨干教师顶岗任教 / 特需教师配送",
        one_of(
            DISPATCH_KIND_LABELS,
            DispatchKind,
            {"顶岗任教": DispatchKind.backbone_post, "特需配送": DispatchKind.special_needs},
        ),
        label(DISPATCH_KIND_LABELS, "kind"),
        choices={k.value: v for k, v in DISPATCH_KIND_LABELS.items()},
    ),
    Column("教师工号", "teacher_id", True, "", code("teachers", "教师工号"), attr("teacher", "staff_number")),
    Column("教师姓名", "teacher_name", parse=None, show=attr("teacher", "name")),
    Column("派出学校", "from_school", parse=None, show=attr("from_school", "name")),
    Column(
        "接收学校代码",
        "to_school_id",
        True,
        "",
        code("schools", "学校代码"),
        attr("to_school", "code"),
        options="schools",
    ),
    group_column("所在集团代码", help="协作体或集团; 可空"),
    START,
    END,
    Column("学科", "subject", show=attr("subject")),
    NOTE,
]

MENTORING_KIND = Kind(
    "mentoring",
    "师徒结对",
    MENTORING,
    MentoringCreate,
    MentoringUpdate,
    service.create_pair,
    service.update_pair,
    service.get_pair,
    service.delete_pair,
    service.list_pairs,
)

DISPATCH_KIND = Kind(
    "dispatches",
    "教师派遣 (顶岗任教、特需配送)",
    DISPATCHES,
    DispatchCreate,
    DispatchUpdate,
    service.create_dispatch,
    service.update_dispatch,
    service.get_dispatch,
    service.delete_dispatch,
    service.list_dispatches,
)
