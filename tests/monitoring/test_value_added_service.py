"""Value-added from stored results: school and group effects, HK-19 through the engine, OH-14 prizes, pages.

The world (tests/conftest.py): primary schools A (quality) and B (weaker) form the tight group, E (ordinary)
belongs to no group; junior schools C (ordinary) and D (weaker) form the co-build pair.
"""

from __future__ import annotations

import io

import numpy as np
import polars as pl
import pytest
from openpyxl import load_workbook
from tests.conftest import auth
from tests.monitoring.test_monitoring_pages import login
from tests.monitoring.test_results_import import make_exam, results_file

from edugroup.monitoring import effects, service
from edugroup.monitoring.value_added import fit_value_added
from edugroup.policy import service as policy

HEADER = ["学籍号", "学校代码", "年级", "学科", "成绩", "等级", "缺考", "前测成绩"]


def rows_with_gain(
    school: str, grade: int, gain: float, n: int = 30, subject: str = "数学", seed: int = 1
) -> list[tuple]:
    """n students whose score is their prior plus `gain` plus a little noise (deterministic)."""
    rng = np.random.default_rng(seed)
    prior = rng.uniform(50.0, 90.0, n)
    score = np.clip(prior + gain + rng.normal(0.0, 2.0, n), 0, 100)
    return [
        (f"{school}{seed}-{i}", school, grade, subject, round(float(s), 2), None, None, round(float(p), 2))
        for i, (s, p) in enumerate(zip(score, prior, strict=True))
    ]


def import_with_prior(world, exam, rows) -> None:
    data = results_file(rows, header=HEADER)
    service.import_results(world.session, world.scope("bureau"), exam.id, data, "r.csv")


def primary_exam(world, gains: dict[str, float], **fields):
    exam = make_exam(world, grade=5, subjects=["数学"], **fields)
    rows = [
        r for k, (school, gain) in enumerate(gains.items()) for r in rows_with_gain(school, 5, gain, seed=k)
    ]
    import_with_prior(world, exam, rows)
    return exam


def hk19(world, year: int = 2025) -> dict[int, tuple]:
    evaluation = policy.run_compliance(world.session, world.scope("bureau"), "hongkou-2025", year=year)
    return {
        r.entity_id: (r.value, r.threshold, r.verdict, r.evidence, r.breakdown)
        for r in evaluation.rows
        if r.clause == "HK-19"
    }


def test_school_effects_are_those_of_the_reml_model_fitted_on_the_stored_rows(world):
    exam = primary_exam(world, {"A": 2.0, "B": 6.0, "E": -3.0})
    frame = service.results_frame(world.session, [exam.id], ("school_id", "subject", "score", "prior"))
    expected = fit_value_added(
        frame.with_columns(school=pl.col("school_id").cast(pl.String)),
        score="score",
        prior="prior",
        school="school",
    )
    found = effects.exam_effects(world.session, exam)
    for school_id, effect, se, n in found.select("school_id", "effect", "se", "n").iter_rows():
        assert effect == pytest.approx(expected.effects[str(school_id)].effect)
        assert se == pytest.approx(expected.effects[str(school_id)].se)
        assert n == 30
    top = found.sort("effect", descending=True)["school_id"][0]
    assert top == world.schools["B"]


def test_residual_mean_is_offered_beside_reml():
    results = pl.DataFrame(
        {
            "school_id": [1, 1, 2, 2],
            "subject": ["数学"] * 4,
            "score": [60.0, 70.0, 70.0, 80.0],
            "prior": [60.0, 70.0, 60.0, 70.0],
        }
    )
    found = effects.school_effects(results, method="residual_mean")
    assert found["effect"].to_list() == pytest.approx([-5.0, 5.0])
    with pytest.raises(Exception, match="未知的增值方法"):
        effects.school_effects(results, method="magic")


@pytest.mark.parametrize(
    ("gain_b", "expected"),
    [(8.0, "met"), (0.0, "not_met")],
)
def test_hk19_needs_the_weaker_schools_lower_95_bound_above_zero(world, gain_b, expected):
    exam = primary_exam(world, {"A": 0.0, "B": gain_b, "E": 0.0})
    found = hk19(world)
    value, threshold, verdict, evidence, breakdown = found[world.schools["B"]]
    va = effects.exam_value_added(world.session, world.scope("bureau"), exam.id)
    row = va.schools.filter(pl.col("entity_id") == world.schools["B"]).row(0, named=True)
    assert value == pytest.approx(row["lower"])
    assert row["lower"] == pytest.approx(row["effect"] - 1.959964 * row["se"], rel=1e-5)
    assert (threshold, verdict, evidence, breakdown) == (0.0, expected, [f"exams:{exam.id}"], "小学 · 数学")
    assert world.schools["A"] not in found  # only weaker schools are in HK-19's scope


def test_hk19_boundary_a_lower_bound_of_exactly_zero_is_not_met(world, monkeypatch):
    primary_exam(world, {"A": 0.0, "B": 4.0, "E": 0.0})

    real = effects.exam_effects

    def on_the_line(session, exam, **kw):
        frame = real(session, exam, **kw)
        return frame.with_columns(effect=pl.col("se") * effects.z_of(0.95))

    monkeypatch.setattr(effects, "exam_effects", on_the_line)
    value, _, verdict, _, _ = hk19(world)[world.schools["B"]]
    assert value == pytest.approx(0.0, abs=1e-9)
    assert verdict == "not_met"


def test_hk19_without_prior_scores_has_no_data(world):
    exam = make_exam(world, grade=5, subjects=["数学"])
    rows = [(r[0], r[1], r[2], r[3], r[4], None, None, None) for r in rows_with_gain("B", 5, 3.0)]
    rows += [(r[0], r[1], r[2], r[3], r[4], None, None, None) for r in rows_with_gain("A", 5, 0.0, seed=2)]
    import_with_prior(world, exam, rows)
    assert hk19(world)[world.schools["B"]][2] == "no_data"


def test_group_effect_is_the_student_weighted_mean_of_its_schools(world):
    exam = primary_exam(world, {"A": 2.0, "B": 6.0, "E": -3.0})
    va = effects.exam_value_added(world.session, world.scope("bureau"), exam.id)
    schools = {r["entity_id"]: r for r in va.schools.to_dicts()}
    group = va.units.filter((pl.col("level") == "group") & (pl.col("entity_id") == world.groups["tight"]))
    a, b = schools[world.schools["A"]], schools[world.schools["B"]]
    assert group["effect"][0] == pytest.approx((a["effect"] + b["effect"]) / 2)
    assert group["se"][0] == pytest.approx(np.sqrt(a["se"] ** 2 + b["se"] ** 2) / 2)
    assert group["n_schools"][0] == 2


def test_a_school_administrator_sees_only_its_schools_effect_and_a_group_head_its_group(world):
    exam = primary_exam(world, {"A": 2.0, "B": 6.0, "E": -3.0})
    school = effects.exam_value_added(world.session, world.scope("school"), exam.id)
    assert set(school.schools["entity_id"]) == {world.schools["B"]}
    assert set(school.units["entity_id"]) == {world.groups["tight"]}  # its group, as for the indicators
    group = effects.exam_value_added(world.session, world.scope("group"), exam.id)
    assert set(group.schools["entity_id"]) == {world.schools["A"], world.schools["B"]}
    assert set(group.units["entity_id"]) == {world.groups["tight"]}


def test_year_on_year_change_is_shown_beside_this_years_effect(world):
    primary_exam(world, {"A": 0.0, "B": 0.0, "E": 0.0}, school_year=2024)
    exam = primary_exam(world, {"A": 0.0, "B": 6.0, "E": 0.0})
    va = effects.exam_value_added(world.session, world.scope("bureau"), exam.id)
    b = va.schools.filter(pl.col("entity_id") == world.schools["B"]).row(0, named=True)
    assert va.previous is not None
    assert va.previous.school_year == 2024
    assert b["change"] == pytest.approx(b["effect"] - b["previous"])
    assert b["change"] > 2


@pytest.mark.parametrize(
    ("count", "shares", "expected"),
    [
        (3, None, ["first_prize", "second_prize", "third_prize"]),
        (4, None, ["first_prize", "first_prize", "second_prize", "third_prize"]),
        (5, (0.2, 0.4, 0.4), ["first_prize", "second_prize", "second_prize", "third_prize", "third_prize"]),
    ],
)
def test_prize_tiers_follow_the_shares(count, shares, expected):
    assert effects.prize_tiers(count, shares) == expected


def test_co_build_pairs_are_ranked_by_value_added(world):
    exam = make_exam(world, grade=9, subjects=["数学"])
    rows = rows_with_gain("C", 9, 5.0) + rows_with_gain("D", 9, 5.0, seed=2)
    import_with_prior(world, exam, rows)
    ranking = effects.prize_ranking(world.session, world.scope("bureau"), 2025)
    assert [(r.group_id, r.rank, r.tier) for r in ranking] == [(world.groups["pair"], 1, "first_prize")]
    assert ranking[0].n == 60
    assert ranking[0].exams == (exam.id,)
    assert effects.prize_ranking(world.session, world.scope("group"), 2025) == []


def test_value_added_api_page_and_export_follow_the_scope(world, client):
    exam = primary_exam(world, {"A": 2.0, "B": 6.0, "E": -3.0})
    body = client.get(f"/api/v1/monitoring/exams/{exam.id}/value-added", headers=auth(world, "school")).json()
    assert [r["entity_id"] for r in body["schools"]] == [world.schools["B"]]
    assert (
        client.get(
            f"/api/v1/monitoring/exams/{exam.id}/value-added?method=x", headers=auth(world, "bureau")
        ).status_code
        == 422
    )
    assert (
        client.get(
            f"/api/v1/monitoring/exams/{exam.id}/value-added", headers=auth(world, "other-bureau")
        ).status_code
        == 404
    )
    response = client.get(
        f"/api/v1/monitoring/groups/{world.groups['tight']}/export?exam_id={exam.id}",
        headers=auth(world, "group"),
    )
    sheet = load_workbook(io.BytesIO(response.content))["增值评价"]
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"测试甲小学", "测试乙小学", "测试第一教育集团"}
    login(client, "group")
    page = client.get(f"/monitoring/groups/{world.groups['tight']}")
    assert page.status_code == 200
    assert 'id="value-added-0"' in page.text
    assert "▲ 测试乙小学" in page.text
    assert "测试戊小学" not in page.text
