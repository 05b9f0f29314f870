"""Imports every domain's metric implementations, so they are registered before an evaluation."""

from edugroup.activities import metrics as _activities  # noqa: F401
from edugroup.admissions import metrics as _admissions  # noqa: F401
from edugroup.certificates import metrics as _certificates  # noqa: F401
from edugroup.experts import metrics as _experts  # noqa: F401
from edugroup.mentoring import metrics as _mentoring  # noqa: F401
from edugroup.monitoring import metrics as _monitoring  # noqa: F401
from edugroup.surveys import metrics as _surveys  # noqa: F401
from edugroup.teachers import metrics as _teachers  # noqa: F401
