"""A rotation plan as an Excel workbook: one row per teacher, and a sheet with the quotas and the warnings."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from edugroup.core.scope import Scope
from edugroup.rotation.plans import service

HEADERS = [
    "工号",
    "姓名",
    "学科",
    "骨干梯队",
    "派出学校代码",
    "派出学校",
    "接收学校代码",
    "接收学校",
    "通勤(km)",
    "已调整",
    "交流记录编号",
]


def plan_workbook(session: Session, scope: Scope, plan_id: int) -> bytes:
    """The plan's rows and a summary sheet (status, quotas, pack, warnings) as .xlsx bytes."""
    plan = service.get_plan(session, scope, plan_id)
    warnings = service.plan_warnings(session, plan)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "轮岗方案"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in sorted(
        plan.rows, key=lambda r: (r.from_school.code, r.to_school.code, r.teacher.staff_number)
    ):
        teacher = row.teacher
        sheet.append(
            [
                teacher.staff_number,
                teacher.name,
                teacher.subject,
                teacher.backbone_label or "",
                row.from_school.code,
                row.from_school.name,
                row.to_school.code,
                row.to_school.name,
                row.km,
                "是" if row.edited else "否",
                row.rotation_id,
            ]
        )
    for i, name in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, len(name) * 2 + 4)
    sheet.freeze_panes = "A2"

    summary = workbook.create_sheet("方案说明")
    lines: list[tuple[str, object]] = [
        ("方案编号", plan.id),
        ("学年", f"{plan.year}学年"),
        ("状态", plan.status_label),
        ("求解结果", plan.solver_label),
        ("说明", plan.explanation or ""),
        ("政策包", f"{plan.pack_id or '—'} ({plan.pack_edition.isoformat() if plan.pack_edition else '—'})"),
        ("流出比例下限 (HK-06)", plan.min_out_share if plan.min_out_share is not None else "不适用"),
        (
            "骨干教师占比下限 (HK-07)",
            plan.min_backbone_share if plan.min_backbone_share is not None else "不适用",
        ),
        ("组团流入人数下限 (HK-09)", plan.min_team_size if plan.min_team_size is not None else "不适用"),
        ("约定期限 (年, HK-08)", plan.duration_years),
        ("符合条件的优质校教师", plan.eligible_count),
        ("交流教师", len(plan.rows)),
        ("总通勤 (km)", round(sum(r.km or 0.0 for r in plan.rows), 3)),
        ("编制人", plan.created_by),
        ("采纳人", plan.accepted_by or ""),
        ("采纳时间", plan.accepted_at.isoformat(timespec="minutes") if plan.accepted_at else ""),
    ]
    for label, value in lines:
        summary.append([label, value])
    summary.append([])
    summary.append(["未满足的配额与需求", "无" if not warnings else ""])
    for warning in warnings:
        summary.append(["", warning])
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
