"""Demonstration-lesson certificates refused at entry past a teacher's (OH-12) or a group's (OH-11) limit,
read from the pack in force for the region."""

from datetime import date
from pathlib import Path

import pytest
from tests.conftest import auth
from tests.development.factories import add_teachers, certificate

import edugroup.policy.packs as packs_module
from edugroup.certificates import service
from edugroup.certificates.schemas import CertificateUpdate
from edugroup.core.errors import Conflict, Forbidden, InvalidInput
from edugroup.org.models import Region
from edugroup.policy import service as policy_service


@pytest.fixture
def staffed(world):
    """Twenty teachers in the tight group (schools A and B: a limit of 3 a year), two in the pair's school C."""
    return add_teachers(world, "A", 10) + add_teachers(world, "B", 9), add_teachers(world, "C", 2)


def test_the_third_certificate_of_a_teacher_in_a_school_year_is_refused(world, staffed):
    teacher = staffed[0][0]
    certificate(world, teacher, issued_on=date(2025, 9, 10))
    certificate(world, teacher, issued_on=date(2026, 8, 31))
    with pytest.raises(Conflict) as refused:
        certificate(world, teacher, issued_on=date(2026, 3, 1))
    assert refused.value.status_code == 409
    assert refused.value.field == "teacher_id"
    assert "教师A1" in refused.value.message
    assert "2025学年已有 2 个区级示范课证书" in refused.value.message
    assert "不超过 2 个" in refused.value.message
    assert certificate(world, teacher, issued_on=date(2026, 9, 1)).school_year == 2026  # a new school year


def test_a_groups_certificates_above_fifteen_percent_of_its_teachers_are_refused(world, staffed):
    teachers = staffed[0]
    quota = service.certificate_quota(world.session, world.scope("bureau"), world.groups["tight"], 2025)
    assert (quota.teachers, quota.limit, quota.remaining) == (
        20,
        3,
        3,
    )  # 19 added and the world's own teacher
    for teacher in teachers[:3]:
        certificate(world, teacher)
    with pytest.raises(Conflict) as refused:
        certificate(world, teachers[3])
    message = refused.value.message
    assert refused.value.field == "group_id"
    assert "测试第一教育集团2025学年的区级示范课证书已达上限" in message
    assert "教师 20 人的 15%, 最多 3 个, 已颁发 3 个, 还剩 0 个" in message
    add_teachers(world, "A", 7)  # 27 teachers: 4.05, so a fourth fits
    assert certificate(world, teachers[3]).id


def test_changing_a_certificate_does_not_count_it_twice(world, staffed):
    teacher = staffed[0][0]
    first = certificate(world, teacher)
    certificate(world, teacher)
    changed = service.update_certificate(
        world.session, world.scope("bureau"), first.id, CertificateUpdate(issued_on=date(2026, 1, 5))
    )
    assert changed.school_year == 2025


def test_the_limits_are_read_from_the_regions_pack_edition_in_force(world, staffed):
    text = (Path(packs_module.__file__).parent / "packs" / "ouhai-2022.yaml").read_text(encoding="utf-8")
    edited = text.replace("edition: 2022-12-23", "edition: 2025-06-01", 1)
    oh12 = edited.index("id: OH-12")
    edited = edited[:oh12] + edited[oh12:].replace("threshold: 2", "threshold: 3", 1)
    edited = edited.replace(
        "{metric: teachers.count, entity: self, factor: 0.15}",
        "{metric: teachers.count, entity: self, factor: 0.2}",
    )
    assert edited != text
    policy_service.load_pack_edition(
        world.session, world.scope("bureau"), edited, source_name="ouhai-edited.yaml"
    )
    limits = service.certificate_limits(world.session, world.region_id, 2025)
    assert (limits.per_teacher, limits.group_share) == (3, 0.2)
    assert "OH-12" in limits.source
    old = service.certificate_limits(world.session, world.region_id, 2024)  # before the new edition
    assert (old.per_teacher, old.group_share) == (2, 0.15)
    teacher = staffed[0][0]
    for _ in range(3):
        certificate(world, teacher)
    certificate(world, staffed[0][1])  # 4 <= 20 × 0.2
    with pytest.raises(Conflict):
        certificate(world, staffed[0][2])


def test_a_region_whose_pack_lacks_the_rules_takes_them_from_the_pack_that_sets_them_and_else_has_none(world):
    region = world.session.get(Region, world.region_id)
    region.policy_pack = "hongkou-2025"
    world.session.flush()
    limits = service.certificate_limits(world.session, world.region_id, 2025)
    assert (limits.per_teacher, limits.group_share, limits.group_cap) == (2, 0.15, None)
    assert limits.source.startswith("ouhai-2022")
    before_pack = service.certificate_limits(
        world.session, world.region_id, 2019
    )  # no edition of any pack with certificate rules in force: no numbers of the product's own
    assert (before_pack.per_teacher, before_pack.group_share, before_pack.group_cap) == (None, None, None)
    assert before_pack.source == "本区政策包未设上限"


def test_a_certificate_is_issued_by_a_group_of_the_teachers_school(world, staffed):
    with pytest.raises(InvalidInput) as refused:
        certificate(world, staffed[1][0])  # school C is not in the tight group
    assert refused.value.field == "group_id"
    assert "不是测试第一教育集团的成员校" in refused.value.message


def test_only_the_bureau_and_the_issuing_groups_head_record_certificates(world, staffed):
    teacher = staffed[0][0]
    assert certificate(world, teacher, who="group").group_id == world.groups["tight"]
    with pytest.raises(Forbidden):
        certificate(world, teacher, who="school")
    with pytest.raises(Forbidden):
        certificate(world, world.scope("teacher").teacher_id, who="teacher")


def test_the_api_answers_409_with_the_sentence_and_shows_the_quota(world, client, staffed):
    teacher = staffed[0][0]
    headers = auth(world, "group")
    body = {
        "teacher_id": teacher,
        "group_id": world.groups["tight"],
        "issued_on": "2025-11-01",
        "lesson_title": "示范课",
    }
    for _ in range(2):
        assert client.post("/api/v1/development/certificates", json=body, headers=headers).status_code == 201
    third = client.post("/api/v1/development/certificates", json=body, headers=headers)
    assert third.status_code == 409
    assert "2025学年" in third.json()["message"]
    assert third.json()["field"] == "teacher_id"
    quota = client.get(
        f"/api/v1/development/groups/{world.groups['tight']}/certificate-quota?year=2025", headers=headers
    ).json()
    assert (quota["teachers"], quota["limit"], quota["issued"], quota["remaining"]) == (20, 3, 2, 1)
    hidden = client.get(
        f"/api/v1/development/groups/{world.groups['pair']}/certificate-quota?year=2025", headers=headers
    )
    assert hidden.status_code == 404


def test_a_duplicate_certificate_number_is_refused(world, staffed):
    certificate(world, staffed[0][0], number="No.1")
    with pytest.raises(Conflict) as refused:
        certificate(world, staffed[0][1], number="No.1")
    assert refused.value.field == "number"
