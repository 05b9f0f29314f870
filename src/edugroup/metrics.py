"""Imports every domain's metric implementations, so they are registered before an evaluation."""

from edugroup.activities import metrics as _activities  # noqa: F401
from edugroup.teachers import metrics as _teachers  # noqa: F401
