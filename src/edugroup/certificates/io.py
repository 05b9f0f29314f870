"""Demonstration-lesson certificates in files and forms (区级示范课证书): their columns and service
functions; a row past either limit (OH-11, OH-12) refuses the file."""

from __future__ import annotations

from edugroup.certificates import service
from edugroup.certificates.schemas import CertificateCreate, CertificateUpdate
from edugroup.core.sheets import NOTE, Column, Kind, attr, code, day, group_column, whole

CERTIFICATES = [
    Column("教师工号", "teacher_id", True, "", code("teachers", "教师工号"), attr("teacher", "staff_number")),
    Column("教师姓名", "teacher_name", parse=None, show=attr("teacher", "name")),
    group_column("颁发集团代码", True, "申请区级教研展示的集团 (教共体)"),
    Column("颁发日期", "issued_on", True, "YYYY-MM-DD", day, attr("issued_on")),
    Column("示范课课题", "lesson_title", True, show=attr("lesson_title")),
    Column("学科", "subject", show=attr("subject")),
    Column("证书编号", "number", False, "区内唯一", show=attr("number")),
    Column("关联活动编号", "activity_id", False, "示范课的活动记录编号", whole, attr("activity_id")),
    NOTE,
    Column("学校", "school_name", parse=None, show=attr("school", "name")),
    Column("学年", "school_year", parse=None, show=attr("school_year")),
]

KIND = Kind(
    "certificates",
    "区级示范课证书",
    CERTIFICATES,
    CertificateCreate,
    CertificateUpdate,
    service.create_certificate,
    service.update_certificate,
    service.get_certificate,
    service.delete_certificate,
    service.list_certificates,
)
