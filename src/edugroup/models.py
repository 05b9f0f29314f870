"""Imports every domain's tables so the metadata (and Alembic) sees them all."""

from edugroup.activities.models import Activity, ActivityAttachment, ActivitySchool, ActivityTeacher
from edugroup.core import audit as _audit  # noqa: F401  (registers the audit hook)
from edugroup.core.db import Base
from edugroup.core.models import ApiToken, AuditEntry, User
from edugroup.org.models import City, District, Group, Membership, Region, School, Student
from edugroup.policy.models import PackEdition
from edugroup.teachers.models import Studio, StudioMember, Teacher

__all__ = [
    "Activity",
    "ActivityAttachment",
    "ActivitySchool",
    "ActivityTeacher",
    "ApiToken",
    "AuditEntry",
    "Base",
    "City",
    "District",
    "Group",
    "Membership",
    "PackEdition",
    "Region",
    "School",
    "Student",
    "Studio",
    "StudioMember",
    "Teacher",
    "User",
]
