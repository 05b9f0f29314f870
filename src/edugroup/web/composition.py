"""The composition root: the one place that lists every domain — its API routers and pages, its metric
implementations and entity kinds for the compliance engine, and its demo loader.

Nothing below `web` and `cli` imports this module; they call `register_domains()` once at start-up (the app
factory, the `edugroup` command, the test suite), which registers every domain's metrics and entity kinds
and how a user's scope is resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
from fastapi import APIRouter
from sqlalchemy.orm import Session

from edugroup.activities import demo as activity_demo
from edugroup.activities import metrics as activity_metrics
from edugroup.activities import pages as activity_pages
from edugroup.activities import routes as activity_routes
from edugroup.admissions import demo as admission_demo
from edugroup.admissions import metrics as admission_metrics
from edugroup.admissions import pages as admissions_pages
from edugroup.admissions import routes as admissions_routes
from edugroup.certificates import demo as certificate_demo
from edugroup.certificates import metrics as certificate_metrics
from edugroup.certificates import routes as certificate_routes
from edugroup.core import routes as core_routes
from edugroup.core.pages import TEMPLATES
from edugroup.core.scope import install_scope_resolver
from edugroup.development import pages as development_pages
from edugroup.development import routes as development_routes
from edugroup.experts import demo as expert_demo
from edugroup.experts import metrics as expert_metrics
from edugroup.experts import routes as expert_routes
from edugroup.mentoring import demo as mentoring_demo
from edugroup.mentoring import metrics as mentoring_metrics
from edugroup.mentoring import routes as mentoring_routes
from edugroup.monitoring import demo as monitoring_demo
from edugroup.monitoring import metrics as monitoring_metrics
from edugroup.monitoring import pages as monitoring_pages
from edugroup.monitoring import routes as monitoring_routes
from edugroup.org import demo as org_demo
from edugroup.org import pages as org_pages
from edugroup.org import routes as org_routes
from edugroup.org.models import MODE_LABELS, STAGE_LABELS, TIER_LABELS
from edugroup.policy import pages as policy_pages
from edugroup.policy import routes as policy_routes
from edugroup.policy.metrics import REGISTRY
from edugroup.rotation import demo as rotation_demo
from edugroup.rotation import metrics as rotation_metrics
from edugroup.rotation import pages as rotation_pages
from edugroup.rotation import routes as rotation_routes
from edugroup.rotation.plans import pages as plan_pages
from edugroup.rotation.plans import routes as plan_routes
from edugroup.studios import demo as studio_demo
from edugroup.studios import metrics as studio_metrics
from edugroup.studios import pages as studio_pages
from edugroup.studios import routes as studio_routes
from edugroup.surveys import demo as survey_demo
from edugroup.surveys import metrics as survey_metrics
from edugroup.surveys import pages as survey_pages
from edugroup.surveys import routes as survey_routes
from edugroup.teachers import demo as teacher_demo
from edugroup.teachers import metrics as teacher_metrics
from edugroup.teachers import pages as teacher_pages
from edugroup.teachers import routes as teacher_routes
from edugroup.training import demo as training_demo
from edugroup.training import routes as training_routes
from edugroup.web import routes as web_routes
from edugroup.web.scopes import resolve_scope

ROUTERS: tuple[APIRouter, ...] = (
    core_routes.router,
    org_routes.router,
    activity_routes.router,
    activity_pages.router,
    policy_routes.router,
    policy_pages.router,
    rotation_routes.router,  # before the teachers': /teachers/eligible, /teachers/{id} (page)...
    rotation_pages.router,
    plan_routes.router,
    plan_pages.router,
    teacher_routes.router,
    teacher_pages.router,
    training_routes.router,
    certificate_routes.router,
    mentoring_routes.router,
    expert_routes.router,
    studio_routes.router,
    development_routes.router,
    studio_pages.router,  # before the development pages: /development/studios is no kind
    development_pages.router,
    monitoring_routes.router,
    monitoring_pages.router,
    survey_routes.router,
    survey_pages.router,
    admissions_routes.router,
    admissions_pages.router,
    org_pages.router,
    web_routes.router,
)
"""Every domain's API router and pages, in the order their paths are matched."""

METRIC_MODULES = (
    activity_metrics,
    admission_metrics,
    monitoring_metrics,
    survey_metrics,
    teacher_metrics,
    rotation_metrics,
    certificate_metrics,
    expert_metrics,
    mentoring_metrics,
    studio_metrics,
)
"""Every domain's `metrics` module: importing one registers its metrics and entity kinds."""


DEMO_LOADERS: tuple[Callable[[Session, org_demo.DemoWorld], None], ...] = (
    teacher_demo.load_demo_people,
    activity_demo.load_demo,
    studio_demo.load_demo,
    rotation_demo.load_demo,
    training_demo.load_demo,
    certificate_demo.load_demo,
    mentoring_demo.load_demo,
    expert_demo.load_demo,
    monitoring_demo.load_demo,
    survey_demo.load_demo,
    admission_demo.load_demo,
)
"""Every domain's part of the demo, after the registry's, in the order their random draws are made."""


def load_demo(session: Session) -> list[org_demo.DemoUser]:
    """Load the demo once (`edugroup demo`, `make run`); the demo users (all with password DEMO_PASSWORD)."""
    if org_demo.is_loaded(session):
        return org_demo.demo_users(session)
    world = org_demo.load_demo(session)
    for load in DEMO_LOADERS:
        load(session, world)
    return world.users


TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


def register_domains() -> None:
    """Register every domain with the compliance engine, and how scopes are resolved (idempotent)."""
    REGISTRY.complete = bool(METRIC_MODULES)
    install_scope_resolver(resolve_scope)
    TEMPLATES.env.loader = jinja2.FileSystemLoader(str(TEMPLATE_DIR))
    TEMPLATES.env.globals.update(mode_labels=MODE_LABELS, stage_labels=STAGE_LABELS, tier_labels=TIER_LABELS)
