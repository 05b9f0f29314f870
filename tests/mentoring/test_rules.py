"""OH-09 through the compliance engine: met, not met and at the boundary."""

from datetime import date

import pytest
from tests.development.factories import add_teachers, verdict

from edugroup.mentoring import service
from edugroup.mentoring.schemas import MentoringCreate


def pair(world, mentor, mentee, group="alliance", start=date(2024, 9, 1), end=None):
    data = MentoringCreate(
        mentor_id=mentor,
        mentee_id=mentee,
        group_id=world.groups[group] if group else None,
        started_on=start,
        ended_on=end,
    )
    return service.create_pair(world.session, world.scope("bureau"), data)


@pytest.mark.parametrize(("mentors", "expected"), [(2, "not_met"), (3, "met"), (4, "met")])
def test_oh09_an_alliance_pairs_at_least_three_backbone_mentors(world, mentors, expected):
    backbone = add_teachers(world, "C", 2, backbone=True) + add_teachers(world, "D", 2, backbone=True)
    mentees = add_teachers(world, "D", 4)
    for mentor, mentee in zip(backbone[:mentors], mentees, strict=False):
        pair(world, mentor, mentee)
    row = verdict(world, "ouhai-2022", "OH-09", world.groups["alliance"])
    assert (row.value, row.threshold, row.verdict) == (mentors, 3.0, expected)
    assert all(e.startswith("mentoring_pairs:") for e in row.evidence)


def test_oh09_counts_backbone_mentors_active_in_the_year_of_the_alliance_or_its_pairs(world):
    backbone = add_teachers(world, "C", 5, backbone=True)
    ordinary = add_teachers(world, "C", 1)[0]
    mentees = add_teachers(world, "D", 6)
    pair(world, backbone[0], mentees[0])  # the alliance's own pair
    pair(world, backbone[0], mentees[1])  # the same mentor twice counts once
    pair(world, backbone[1], mentees[2], group="pair")  # arranged by a co-build pair inside the alliance
    pair(world, backbone[2], mentees[3], end=date(2025, 8, 31))  # over before the school year
    pair(world, ordinary, mentees[4])  # not a backbone teacher
    row = verdict(world, "ouhai-2022", "OH-09", world.groups["alliance"])
    assert (row.value, row.verdict) == (2, "not_met")
    pair(world, backbone[3], mentees[5], group=None)  # no group: the mentor's school is in the alliance
    assert verdict(world, "ouhai-2022", "OH-09", world.groups["alliance"]).verdict == "met"
    assert verdict(world, "ouhai-2022", "OH-09", world.groups["alliance"], year=2024).value == 4
