"""The composition root: the one place that lists every domain — its API routers and pages, its metric
implementations and entity kinds for the compliance engine, and its demo loader.

Nothing below `web` and `cli` imports this module; they call `register_domains()` once at start-up (the app
factory, the `edugroup` command, the test suite), which registers every domain's metrics and entity kinds
and how a user's scope is resolved.
"""

from __future__ import annotations

from edugroup.activities import metrics as activity_metrics
from edugroup.admissions import metrics as admission_metrics
from edugroup.monitoring import metrics as monitoring_metrics
from edugroup.policy.metrics import REGISTRY
from edugroup.surveys import metrics as survey_metrics
from edugroup.teachers import metrics as teacher_metrics
from edugroup.teachers.development import metrics as development_metrics

METRIC_MODULES = (
    activity_metrics,
    admission_metrics,
    monitoring_metrics,
    survey_metrics,
    teacher_metrics,
    development_metrics,
)
"""Every domain's `metrics` module: importing one registers its metrics and entity kinds."""


def register_domains() -> None:
    """Register every domain with the compliance engine (idempotent)."""
    REGISTRY.complete = bool(METRIC_MODULES)
