"""Rotation records, team inflows and what a rotation counts as (HK-05, OH-13); the teacher pages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from tests.conftest import auth
from tests.rotation.factories import rotate, rule, team
from tests.teachers.factories import teacher, teachers
from tests.web.test_pages import login

from edugroup.core.errors import Conflict, InvalidInput, NotFound
from edugroup.org import service as org
from edugroup.org.models import Stage
from edugroup.org.schemas import SchoolCreate
from edugroup.rotation import service as rotations
from edugroup.rotation.models import Rotation, RotationMode
from edugroup.rotation.schemas import RotationCreate
from edugroup.teachers.models import Teacher


def world_teacher(world):
    return world.session.scalar(select(Teacher).where(Teacher.staff_number == "T-B-1"))


def test_a_rotation_to_its_own_school_is_refused_naming_the_field(world):
    t = teacher(world, "A")
    with pytest.raises(InvalidInput) as caught:
        rotate(world, t, "A")
    assert caught.value.field == "to_school_id"


def test_a_teacher_rotates_in_one_place_at_a_time(world):
    t = teacher(world, "A")
    rotate(world, t, "B", start=date(2024, 9, 1), end=date(2027, 8, 31))
    with pytest.raises(Conflict) as caught:
        rotate(world, t, "E", start=date(2026, 9, 1))
    assert "2024-09-01" in caught.value.message
    rotate(world, t, "E", start=date(2027, 9, 1))


def test_a_team_inflow_is_recorded_whole_or_not_at_all(world):
    members = teachers(world, "A", 2)
    busy = teacher(world, "A")
    rotate(world, busy, "E", start=date(2025, 3, 1))
    before = world.session.scalar(select(func.count()).select_from(Rotation))
    with pytest.raises(Conflict) as caught:
        team(world, [*members, busy], "B")
    assert caught.value.field == "teacher_ids"
    assert world.session.scalar(select(func.count()).select_from(Rotation)) == before
    made = team(world, members, "B")
    assert [r.mode for r in made.rotations] == [RotationMode.team, RotationMode.team]
    assert made.name.endswith("组团流入")


def test_a_group_head_records_rotations_between_its_own_schools_only(world):
    group = world.scope("group")
    t = teacher(world, "A")
    data = {"teacher_id": t.id, "start_on": date(2025, 9, 1), "planned_end_on": date(2028, 8, 31)}
    made = rotations.create_rotation(
        world.session, group, RotationCreate(to_school_id=world.schools["B"], **data)
    )
    assert made.to_school_id == world.schools["B"]
    with pytest.raises(NotFound) as caught:
        rotations.create_rotation(
            world.session,
            group,
            RotationCreate(
                to_school_id=world.schools["C"],
                start_on=date(2029, 9, 1),
                **{k: v for k, v in data.items() if k != "start_on"} | {"planned_end_on": date(2031, 8, 31)},
            ),
        )
    assert caught.value.field == "to_school_id"


def test_rotation_inside_a_group_counts_as_weak_school_experience(world):
    bureau = world.scope("bureau")
    outside = org.create_school(
        world.session, bureau, SchoolCreate(code="F", name="区外学校", stage=Stage.primary)
    )
    world.schools["F"] = outside.id
    t = teacher(world, "A")
    before_group = rotate(
        world, t, "B", start=date(2019, 9, 1), end=date(2020, 8, 31)
    )  # the group began 2024
    in_district = rotate(world, t, "E", start=date(2021, 9, 1), end=date(2022, 8, 31))
    elsewhere = rotate(world, t, "F", start=date(2022, 9, 1), end=date(2023, 8, 31))
    in_group = rotate(world, t, "B", start=date(2025, 9, 1))
    facts = rotations.experiences(world.session, [before_group, in_district, elsewhere, in_group])
    assert [g.code for g in facts[in_group.id].groups] == ["G1"]
    assert facts[in_group.id].weak_school_experience
    assert "OH-13" in facts[in_group.id].note
    assert facts[before_group.id].groups == []
    assert facts[before_group.id].weak_school_experience  # B is a weaker school in its own right
    assert "OH-13" not in facts[before_group.id].note
    assert not facts[in_district.id].weak_school_experience
    assert facts[in_district.id].within_group_or_district
    assert not facts[elsewhere.id].within_group_or_district
    assert facts[elsewhere.id].note == "跨学区、跨集团交流"


def test_rotations_are_scoped_and_a_teacher_reads_its_own_history(world, client):
    mine = world_teacher(world)
    rotate(world, mine, "A", start=date(2025, 9, 1))
    pair = teacher(world, "C")
    hidden = rotate(world, pair, "D", start=date(2025, 9, 1))
    history = client.get(f"/api/v1/teachers/{mine.id}/rotations", headers=auth(world, "teacher")).json()
    assert len(history) == 1
    assert history[0]["weak_school_experience"] is True
    assert history[0]["term_years"] == 3.0
    for role in ("teacher", "group", "school", "other-bureau"):
        assert client.get(f"/api/v1/rotations/{hidden.id}", headers=auth(world, role)).status_code == 404
        listed = client.get("/api/v1/rotations", headers=auth(world, role)).json()
        assert hidden.id not in {r["id"] for r in listed}
    assert client.get(f"/api/v1/rotations/{hidden.id}", headers=auth(world, "bureau")).status_code == 200


def test_the_actual_end_is_recorded_and_checked(world, client):
    t = teacher(world, "A")
    made = rotate(world, t, "B", start=date(2025, 9, 1))
    headers = auth(world, "bureau")
    bad = client.patch(f"/api/v1/rotations/{made.id}", json={"actual_end_on": "2025-01-01"}, headers=headers)
    assert (bad.status_code, bad.json()["field"]) == (422, "actual_end_on")
    good = client.patch(f"/api/v1/rotations/{made.id}", json={"actual_end_on": "2026-08-31"}, headers=headers)
    assert good.json()["actual_end_on"] == "2026-08-31"
    assert client.delete(f"/api/v1/rotations/{made.id}", headers=auth(world, "school")).status_code == 403
    assert client.delete(f"/api/v1/rotations/{made.id}", headers=headers).status_code == 204


def test_a_recorded_promotion_carries_its_check_as_a_warning(world, client):
    t = teacher(world, "A")
    body = {"teacher_id": t.id, "school_id": world.schools["B"], "post": "副校长", "decided_on": "2025-10-01"}
    response = client.post("/api/v1/promotions", json=body, headers=auth(world, "bureau"))
    assert response.status_code == 201
    check = response.json()["check"]
    assert (check["clause"], check["verdict"]) == ("HK-05", "not_met")
    assert "不阻止任命" in check["message"]
    assert client.post("/api/v1/promotions", json=body, headers=auth(world, "group")).status_code == 403


# --- pages ---------------------------------------------------------------------------------------


def test_a_teacher_sees_its_own_page_with_rotation_history_and_the_oh13_flag(world, client):
    mine = world_teacher(world)
    rule(world)
    rotate(world, mine, "A", start=date(2025, 9, 1))
    other = teacher(world, "B")
    login(client, "teacher")
    page = client.get(f"/teachers/{mine.id}")
    assert page.status_code == 200
    assert 'id="rotation-history"' in page.text
    assert "视同农村(薄弱)学校交流经历" in page.text
    assert "测试甲小学" in page.text
    assert client.get(f"/teachers/{other.id}").status_code == 404
    listed = client.get("/teachers").text
    assert re.search(r'id="teacher-count">1 ', listed)


def test_the_teacher_page_checks_a_promotion_candidate(world, client):
    t = teacher(world, "A")
    rotate(world, t, "B", start=date(2023, 9, 1), end=date(2025, 8, 31))
    login(client, "bureau")
    page = client.get(f"/teachers/{t.id}?check_on=2025-09-01&pack=hongkou-2025").text
    assert 'id="promotion-check"' in page
    assert "达到 HK-05 的 2 年" in page
    short = client.get(f"/teachers/{t.id}?check_on=2025-09-01&pack=shanghai-tight").text
    assert "SH-05" in short


@pytest.mark.parametrize("role", ["group", "school", "other-bureau"])
def test_teacher_pages_out_of_scope_answer_404(world, client, role):
    hidden = teacher(world, "C")
    login(client, role)
    response = client.get(f"/teachers/{hidden.id}")
    assert response.status_code == 404
    assert "不存在或无权查看" in response.text


def test_the_bureau_sets_an_eligibility_rule_on_the_rotations_page(world, client):
    login(client, "bureau")
    page = client.get("/rotations").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/rotations/rules",
        data={
            "csrf_token": token,
            "effective_from": "2025-09-01",
            "min_years_at_school": "5",
            "max_age": "55",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get("/rotations").text
    assert "2025-09-01" in page
    bad = client.post("/rotations/rules", data={"csrf_token": token, "effective_from": ""})
    assert bad.status_code == 422
    assert "生效日期" in bad.text
    login(client, "school")
    assert 'id="rule-form"' not in client.get("/rotations").text


def test_teachers_pages_import_lists_every_bad_row(world, client):
    login(client, "bureau")
    page = client.get("/teachers").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = "工号,姓名,学校代码,学科\nN1,,A,数学\nN2,某,Z,数学\n".encode()
    response = client.post(
        "/teachers/import", data={"csrf_token": token}, files={"file": ("t.csv", data, "text/csv")}
    )
    assert response.status_code == 422
    assert re.search(r"<td>2</td><td>姓名</td>", response.text)
    assert re.search(r"<td>3</td><td>学校代码</td>", response.text)


def test_english_labels_exist_for_the_teacher_pages(world, client):
    login(client, "bureau")
    client.get("/lang/en")
    page = client.get("/teachers").text
    assert "Teachers" in page
    assert "Rotations" in client.get("/rotations").text
