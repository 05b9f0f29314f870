"""The science-literacy index (虹优指数) and the student profile (数字画像), HK-26, with their scope."""

from __future__ import annotations

import polars as pl
import pytest
from tests.conftest import auth
from tests.monitoring.test_results_import import import_rows, make_exam

from edugroup.core.errors import Forbidden, NotFound
from edugroup.monitoring import students
from edugroup.org.models import Student


def hidden_student(world) -> int:
    """For the scoping walk: a student of school C (the co-build pair), out of every other role's reach."""
    student = Student(
        region_id=world.region_id,
        school_id=world.schools["C"],
        student_number="H-C-1",
        name="丙校学生",
        grade=9,
    )
    world.session.add(student)
    world.session.flush()
    return student.id


def configure(world, components=(("语文", 1.0), ("数学", 3.0)), grade: int = 9) -> None:
    students.set_index_config(
        world.session,
        world.scope("bureau"),
        students.IndexConfigWrite(
            grade=grade, components=[{"subject": s, "weight": w} for s, w in components], scale_max=100
        ),
    )


def test_the_index_is_the_weighted_mean_of_rescaled_scores_and_needs_every_component(world):
    configure(world)
    exam = make_exam(world, grade=9, subjects=["语文", "数学"])
    import_rows(
        world,
        exam,
        [
            ("s1", "C", 9, "语文", 80, None, None),
            ("s1", "C", 9, "数学", 60, None, None),
            ("s2", "C", 9, "语文", 100, None, None),
            ("s2", "C", 9, "数学", 100, None, None),
            ("s3", "C", 9, "语文", 90, None, None),
            ("s3", "C", 9, "数学", None, None, "是"),
        ],
    )
    found = students.exam_index(world.session, world.scope("bureau"), exam.id)
    row = found.schools.row(0, named=True)
    assert row["index"] == pytest.approx(((80 + 3 * 60) / 4 + 100) / 2)
    assert row["n"] == 2  # s3 missed 数学: no index rather than a partial one


def test_the_index_configuration_is_the_bureaus_and_validated(world, client):
    configure_as = students.IndexConfigWrite(grade=9, components=[{"subject": "数学", "weight": 1}])
    with pytest.raises(Forbidden):
        students.set_index_config(world.session, world.scope("school"), configure_as)
    bad = {"grade": 9, "components": [{"subject": "数学", "weight": 0}]}
    response = client.put("/api/v1/monitoring/science-index", json=bad, headers=auth(world, "bureau"))
    assert response.status_code == 422
    good = {"grade": 9, "components": [{"subject": "数学", "weight": 2}], "scale_max": 100}
    response = client.put("/api/v1/monitoring/science-index", json=good, headers=auth(world, "bureau"))
    assert response.status_code == 200
    assert client.get("/api/v1/monitoring/science-index", headers=auth(world, "school")).json()["grade"] == 9


def test_a_profile_shows_results_across_years_and_says_what_is_not_recorded(world, client):
    configure(world, components=(("数学", 1.0),))
    student = Student(
        region_id=world.region_id,
        school_id=world.schools["D"],
        student_number="D-1",
        name="丁校学生",
        grade=9,
    )
    world.session.add(student)
    world.session.flush()
    for year, score in ((2024, 70), (2025, 82)):
        exam = make_exam(world, grade=9, subjects=["数学"], school_year=year)
        import_rows(
            world, exam, [("D-1", "D", 9, "数学", score, None, None), ("x", "C", 9, "数学", 50, None, None)]
        )
    found = students.profile(world.session, world.scope("bureau"), student.id)
    assert [(r["exam"].school_year, r["subjects"]["数学"]["score"], r["index"]) for r in found.results] == [
        (2024, 70.0, 70.0),
        (2025, 82.0, 82.0),
    ]
    assert found.courses_note == "暂无共享课程记录 (共享课程功能尚未上线)"
    body = client.get(
        f"/api/v1/monitoring/students/{student.id}/profile", headers=auth(world, "bureau")
    ).json()
    assert body["shared_courses"]["records"] == []


@pytest.mark.parametrize(
    ("role", "school", "expected"),
    [("school", "B", "ok"), ("school", "A", NotFound), ("group", "A", "ok"), ("group", "C", NotFound)],
)
def test_profiles_follow_the_scope(world, role, school, expected):
    student = Student(
        region_id=world.region_id,
        school_id=world.schools[school],
        student_number=f"{school}-9",
        name="学生",
        grade=3,
    )
    world.session.add(student)
    world.session.flush()
    if expected == "ok":
        assert students.profile(world.session, world.scope(role), student.id).student.id == student.id
        assert student.id in {s.id for s in students.list_students(world.session, world.scope(role))}
    else:
        with pytest.raises(expected):
            students.profile(world.session, world.scope(role), student.id)
        assert student.id not in {s.id for s in students.list_students(world.session, world.scope(role))}


def test_teachers_see_no_student_profile(world):
    student_id = hidden_student(world)
    with pytest.raises((Forbidden, NotFound)):
        students.profile(world.session, world.scope("teacher"), student_id)
    with pytest.raises(Forbidden):
        students.list_students(world.session, world.scope("teacher"))


def test_student_index_is_column_wise():
    from types import SimpleNamespace

    exam = SimpleNamespace(subjects=["物理", "化学"], score_min=0.0, score_max=50.0, name="e")
    config = SimpleNamespace(
        components=[{"subject": "物理", "weight": 1}, {"subject": "化学", "weight": 1}], scale_max=100
    )
    rows = pl.DataFrame(
        {
            "student_number": ["a", "a"],
            "school_id": [1, 1],
            "subject": ["物理", "化学"],
            "score": [25.0, 50.0],
        }
    )
    assert students.student_index(rows, exam, config)["index"].to_list() == [75.0]  # type: ignore[arg-type]
