"""Imports every domain's tables so the metadata (and Alembic) sees them all."""

from edugroup.core import audit as _audit  # noqa: F401  (registers the audit hook)
from edugroup.core.db import Base
from edugroup.core.models import ApiToken, AuditEntry, User
from edugroup.org.models import City, District, Group, Membership, Region, School, Student
from edugroup.teachers.models import Teacher

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "City",
    "District",
    "Group",
    "Membership",
    "Region",
    "School",
    "Student",
    "Teacher",
    "User",
]
