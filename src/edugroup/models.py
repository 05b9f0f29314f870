"""Imports every domain's tables so the metadata (and Alembic) sees them all."""

from edugroup.activities.models import Activity, ActivityAttachment, ActivitySchool, ActivityTeacher
from edugroup.admissions.models import EntryOutcome, QuotaAllocation
from edugroup.certificates.models import Certificate
from edugroup.core import audit as _audit  # noqa: F401  (registers the audit hook)
from edugroup.core.db import Base
from edugroup.core.models import ApiToken, AuditEntry, User
from edugroup.experts.models import Assignment
from edugroup.mentoring.models import Dispatch, MentoringPair
from edugroup.monitoring.models import Exam, ExamResult, ScienceIndexConfig
from edugroup.org.models import City, District, Group, Membership, Region, School, Student
from edugroup.policy.models import PackEdition
from edugroup.rotation.models import (
    EligibilityRule,
    Promotion,
    Rotation,
    RotationDemand,
    RotationPlan,
    RotationPlanRow,
    RotationTeam,
)
from edugroup.studios.models import Studio, StudioMember
from edugroup.surveys.models import Questionnaire, QuestionnaireItem, SurveyResponse
from edugroup.teachers.models import StaffingRecord, Teacher
from edugroup.training.models import CreditRule, TrainingRecord

__all__ = [
    "EntryOutcome",
    "Questionnaire",
    "QuestionnaireItem",
    "QuotaAllocation",
    "SurveyResponse",
    "Activity",
    "ActivityAttachment",
    "ActivitySchool",
    "ActivityTeacher",
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Base",
    "Certificate",
    "City",
    "CreditRule",
    "Dispatch",
    "District",
    "EligibilityRule",
    "Exam",
    "ExamResult",
    "Group",
    "Membership",
    "MentoringPair",
    "PackEdition",
    "Promotion",
    "Region",
    "Rotation",
    "RotationDemand",
    "RotationPlan",
    "RotationPlanRow",
    "RotationTeam",
    "School",
    "ScienceIndexConfig",
    "StaffingRecord",
    "Student",
    "Studio",
    "StudioMember",
    "Teacher",
    "TrainingRecord",
    "User",
]
