"""QP-10: a programme's pilot schools evaluated at baseline, each year, mid-term and final, against the baseline."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import auth
from tests.monitoring.test_monitoring_pages import login
from tests.monitoring.test_value_added_service import primary_exam

from edugroup.core.errors import InvalidInput, NotFound
from edugroup.monitoring import programme
from edugroup.org import service as org
from edugroup.org.models import GroupMode
from edugroup.org.schemas import GroupCreate, MembershipCreate


@pytest.fixture
def pilot_programme(world):
    """A three-year programme (2024–2026) of the primary schools A and B (B is the weaker pilot)."""
    bureau = world.scope("bureau")
    group = org.create_group(
        world.session,
        bureau,
        GroupCreate(code="QX", name="测试强校工程", mode=GroupMode.programme, founded_on=date(2024, 9, 1)),
    )
    for code in ("A", "B"):
        org.add_membership(
            world.session,
            bureau,
            MembershipCreate(group_id=group.id, school_id=world.schools[code], start_date=date(2024, 9, 1)),
        )
    return group.id


def test_stages_follow_the_programme_years():
    assert programme.stages_of(2024, 2024, 3) == ("baseline", "annual")
    assert programme.stages_of(2025, 2024, 3) == ("annual", "midterm")
    assert programme.stages_of(2026, 2024, 3) == ("annual", "final")
    assert programme.stages_of(2023, 2023, 1) == ("baseline", "annual", "final")


def test_each_pilot_school_is_measured_against_its_baseline(world, pilot_programme):
    primary_exam(world, {"A": 0.0, "B": -2.0, "E": 1.0}, school_year=2024, name="2024年监测")
    primary_exam(world, {"A": 0.0, "B": 3.0, "E": 1.0}, school_year=2025, name="2025年监测")
    found = programme.programme_evaluation(world.session, world.scope("bureau"), pilot_programme)
    assert (found.first_year, found.length, found.baseline_year, found.baseline_moved) == (
        2024,
        3,
        2024,
        False,
    )
    points = {(p.school_name, p.school_year): p for p in found.points}
    b2024, b2025 = points[("测试乙小学", 2024)], points[("测试乙小学", 2025)]
    assert b2024.stages == ("baseline", "annual")
    assert b2024.change is None
    assert b2025.change == pytest.approx(b2025.effect - b2024.effect)
    assert b2025.change > 3  # B gained about five points of value-added over its baseline
    assert b2025.lower < b2025.effect < b2025.upper
    final = points[("测试乙小学", 2026)]
    assert (final.stages, final.effect) == (("annual", "final"), None)
    assert {name for name, _ in points} == {"测试甲小学", "测试乙小学"}  # E is not a pilot


def test_without_results_in_the_first_year_the_earliest_year_with_results_is_the_baseline(
    world, pilot_programme
):
    primary_exam(world, {"A": 0.0, "B": 1.0, "E": 1.0}, school_year=2025, name="2025年监测")
    found = programme.programme_evaluation(world.session, world.scope("bureau"), pilot_programme)
    assert (found.baseline_year, found.baseline_moved) == (2025, True)


def test_only_programmes_have_staged_evaluations_and_only_in_scope(world, pilot_programme):
    with pytest.raises(InvalidInput, match="不是专项计划"):
        programme.programme_evaluation(world.session, world.scope("bureau"), world.groups["tight"])
    with pytest.raises(NotFound):
        programme.programme_evaluation(world.session, world.scope("other-bureau"), pilot_programme)


def test_the_stage_page_and_api_show_the_evaluation(world, client, pilot_programme):
    primary_exam(world, {"A": 0.0, "B": -2.0, "E": 1.0}, school_year=2024, name="2024年监测")
    body = client.get(
        f"/api/v1/monitoring/programmes/{pilot_programme}/stages", headers=auth(world, "bureau")
    ).json()
    assert body["baseline_year"] == 2024
    assert len(body["points"]) == 6
    login(client, "bureau")
    page = client.get(f"/monitoring/programmes/{pilot_programme}").text
    assert "分阶段增值评估" in page
    assert "初态评估" in page
    assert "终期评估" in page
