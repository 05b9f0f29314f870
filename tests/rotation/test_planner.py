"""The rotation planner keeps every quota, finds the least total commute, and says why when it cannot.

The checker and the exhaustive search below are written from the issue's wording, independently of the
planner's code: they read the JSON instance directly and count with exact fractions.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edugroup.algorithms.rotation.errors import InvalidInstance
from edugroup.algorithms.rotation.planner import (
    SolveOptions,
    plan_rotation,
    plan_rotation_file,
    plan_with_options,
)

QUOTAS = {"min_out_share", "min_backbone_share", "demand.min", "min_team_size"}


# ---------------------------------------------------------------- an independent reading of the rules


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def commute(instance: dict[str, Any], teacher: dict[str, Any], school_id: Any) -> float:
    row = (instance.get("distance") or {}).get(str(teacher["id"]), {})
    if str(school_id) in row:
        return float(row[str(school_id)])
    schools = {s["id"]: s for s in instance["schools"]}
    home, there = schools[teacher["school"]], schools[school_id]
    return haversine_km(home["lat"], home["lon"], there["lat"], there["lon"])


def violations(instance: dict[str, Any], assignments: list[dict[str, Any]]) -> list[str]:
    """Every rule of the issue that the assignments break."""
    teachers = {t["id"]: t for t in instance["teachers"]}
    schools = {s["id"]: s for s in instance["schools"]}
    demand = {(d["school"], d["subject"]): d for d in instance["demand"]}
    rules = instance.get("rules") or {}
    broken: list[str] = []

    moved = [a["teacher"] for a in assignments]
    if len(moved) != len(set(moved)):
        broken.append("a teacher moves twice")
    intake: dict[tuple[Any, str], int] = {}
    for a in assignments:
        teacher = teachers.get(a["teacher"])
        school = schools.get(a["to"])
        if teacher is None or school is None:
            broken.append(f"unknown teacher or school in {a}")
            continue
        if school["role"] != "receiving" or a["to"] == teacher["school"]:
            broken.append(f"{a} does not go to another receiving school")
        if (a["to"], teacher["subject"]) not in demand:
            broken.append(f"{a} fills no demand of the teacher's subject")
        intake[(a["to"], teacher["subject"])] = intake.get((a["to"], teacher["subject"]), 0) + 1

    for (school_id, subject), row in demand.items():
        n = intake.get((school_id, subject), 0)
        if n < row["min"] or (row.get("max") is not None and n > row["max"]):
            broken.append(f"intake {n} of {subject} at {school_id} outside [{row['min']}, {row.get('max')}]")

    for school in instance["schools"]:
        if school["role"] != "sending":
            continue
        staff = [t for t in instance["teachers"] if t["school"] == school["id"]]
        movers = [teachers[m] for m in moved if teachers[m]["school"] == school["id"]]
        if rules.get("min_out_share") is not None:
            need = math.ceil(Fraction(str(rules["min_out_share"])) * len(staff))
            if len(movers) < need:
                broken.append(f"{school['id']} sends {len(movers)} < {need}")
        if rules.get("min_backbone_share") is not None:
            backbone = sum(1 for t in movers if t["backbone"])
            if backbone < Fraction(str(rules["min_backbone_share"])) * len(movers):
                broken.append(f"{school['id']} sends {backbone} backbone of {len(movers)}")

    if rules.get("min_team_size") is not None:
        for school in instance["schools"]:
            total = sum(n for (sid, _), n in intake.items() if sid == school["id"])
            if 0 < total < rules["min_team_size"]:
                broken.append(f"{school['id']} receives a team of {total}")
    return broken


def total_commute(instance: dict[str, Any], assignments: list[dict[str, Any]]) -> float:
    teachers = {t["id"]: t for t in instance["teachers"]}
    return sum(commute(instance, teachers[a["teacher"]], a["to"]) for a in assignments)


def exhaustive_optimum(instance: dict[str, Any]) -> float | None:
    """Least total commute over every way to send each teacher nowhere or to any receiving school."""
    receiving = [s["id"] for s in instance["schools"] if s["role"] == "receiving"]
    best: float | None = None
    for choice in itertools.product([None, *receiving], repeat=len(instance["teachers"])):
        plan = [
            {"teacher": t["id"], "to": to} for t, to in zip(instance["teachers"], choice, strict=True) if to
        ]
        if violations(instance, plan):
            continue
        cost = total_commute(instance, plan)
        if best is None or cost < best:
            best = cost
    return best


def assert_well_formed_infeasible(instance: dict[str, Any], plan: dict[str, Any]) -> None:
    assert plan["assignments"] == []
    assert plan["objective"] is None
    assert plan["infeasible"], plan
    school_ids = {s["id"] for s in instance["schools"]}
    for entry in plan["infeasible"]:
        assert entry["quota"] in QUOTAS
        assert entry["schools"]
        assert set(entry["schools"]) <= school_ids
        assert entry["quota"] in plan["explanation"] or entry["details"][0]["message"] in plan["explanation"]


# ---------------------------------------------------------------- random instances


@st.composite
def instances(draw: st.DrawFn, max_teachers: int, max_sending: int, max_receiving: int) -> dict[str, Any]:
    subjects = draw(st.lists(st.sampled_from(["数学", "语文", "英语"]), min_size=1, max_size=3, unique=True))
    sending = [f"S{i}" for i in range(draw(st.integers(1, max_sending)))]
    receiving = [f"R{i}" for i in range(draw(st.integers(1, max_receiving)))]
    coordinate = st.integers(0, 400).map(lambda k: k / 1000)
    schools = [
        {"id": sid, "role": role, "lat": 30.0 + draw(coordinate), "lon": 120.0 + draw(coordinate)}
        for role, ids in (("sending", sending), ("receiving", receiving))
        for sid in ids
    ]
    homes = st.sampled_from(sending) if draw(st.integers(0, 4)) else st.sampled_from(sending + receiving)
    teachers: list[dict[str, Any]] = [
        {
            "id": f"T{i}",
            "school": draw(homes),
            "subject": draw(st.sampled_from(subjects)),
            "backbone": draw(st.booleans()),
        }
        for i in range(draw(st.integers(0, max_teachers)))
    ]
    demand = []
    for sid in receiving:
        for subject in subjects:
            if draw(st.booleans()):
                low = draw(st.integers(0, 2))
                row: dict[str, Any] = {"school": sid, "subject": subject, "min": low}
                if draw(st.booleans()):
                    row["max"] = low + draw(st.integers(0, 2))
                demand.append(row)
    rules: dict[str, Any] = {}
    if draw(st.booleans()):
        rules["min_out_share"] = draw(st.sampled_from([0.0, 0.2, 0.34, 0.5, 1.0]))
    if draw(st.booleans()):
        rules["min_backbone_share"] = draw(st.sampled_from([0.0, 0.3, 0.5, 1.0]))
    if draw(st.booleans()):
        rules["min_team_size"] = draw(st.integers(0, 3))
    instance: dict[str, Any] = {"teachers": teachers, "schools": schools, "demand": demand, "rules": rules}
    if draw(st.booleans()) and teachers:
        km = st.integers(0, 30).map(float)
        distance: dict[str, dict[str, float]] = {}
        for t in teachers:
            if draw(st.booleans()):
                distance[t["id"]] = {sid: draw(km) for sid in receiving if draw(st.booleans())}
        instance["distance"] = distance
    return instance


EXACT = SolveOptions(mip_gap=0.0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_teachers=6, max_sending=2, max_receiving=3))
def test_answer_matches_an_exhaustive_search_on_small_instances(instance: dict[str, Any]) -> None:
    best = exhaustive_optimum(instance)
    plan = plan_with_options(instance, EXACT)
    if best is None:
        assert plan["status"] == "infeasible"
        assert_well_formed_infeasible(instance, plan)
    else:
        assert plan["status"] == "optimal", plan
        assert violations(instance, plan["assignments"]) == []
        assert total_commute(instance, plan["assignments"]) == pytest.approx(best, abs=1e-6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_teachers=40, max_sending=4, max_receiving=5))
def test_every_quota_holds_on_random_instances(instance: dict[str, Any]) -> None:
    plan = plan_rotation(instance)
    assert plan["status"] in {"optimal", "infeasible"}
    if plan["status"] == "infeasible":
        assert_well_formed_infeasible(instance, plan)
        return
    assert violations(instance, plan["assignments"]) == []
    assert plan["objective"] == pytest.approx(total_commute(instance, plan["assignments"]), abs=1e-3)
    assert 0.0 <= plan["gap"] <= 0.001


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_teachers=40, max_sending=4, max_receiving=5))
def test_pruned_model_finds_the_same_optimum_as_the_whole_model(instance: dict[str, Any]) -> None:
    pruned = plan_with_options(instance, SolveOptions(mip_gap=0.0, neighbours=1))
    whole = plan_with_options(instance, SolveOptions(mip_gap=0.0, prune=False))
    assert pruned["status"] == whole["status"]
    if whole["status"] == "optimal":
        assert pruned["objective"] == pytest.approx(whole["objective"], abs=1e-6)
        assert violations(instance, pruned["assignments"]) == []


# ---------------------------------------------------------------- worked examples


def school(sid: str, role: str, lat: float | None = None, lon: float | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"id": sid, "role": role}
    if lat is not None:
        row["lat"], row["lon"] = lat, lon
    return row


def teacher(tid: str, home: str, subject: str = "数学", backbone: bool = False) -> dict[str, Any]:
    return {"id": tid, "school": home, "subject": subject, "backbone": backbone}


def two_school_city() -> dict[str, Any]:
    """S1 and S2 send; R1 sits near S1, R2 near S2."""
    return {
        "teachers": [
            teacher("a", "S1", backbone=True),
            teacher("b", "S1"),
            teacher("c", "S1", "语文"),
            teacher("d", "S2", backbone=True),
            teacher("e", "S2", "语文"),
        ],
        "schools": [
            school("S1", "sending", 30.00, 120.00),
            school("S2", "sending", 30.20, 120.20),
            school("R1", "receiving", 30.01, 120.00),
            school("R2", "receiving", 30.21, 120.20),
        ],
        "demand": [
            {"school": "R1", "subject": "数学", "min": 0, "max": 2},
            {"school": "R2", "subject": "数学", "min": 0},
            {"school": "R2", "subject": "语文", "min": 0, "max": 1},
        ],
        "rules": {"min_out_share": 0.5},
    }


def test_each_sending_school_meets_its_out_quota_at_least_cost() -> None:
    instance = two_school_city()
    plan = plan_rotation(instance, mip_gap=0.0)
    assert plan["status"] == "optimal"
    assert violations(instance, plan["assignments"]) == []
    # S1 must send 2 of 3 (a and b to nearby R1), S2 must send 1 of 2 (d to nearby R2).
    assert {(a["teacher"], a["to"]) for a in plan["assignments"]} == {("a", "R1"), ("b", "R1"), ("d", "R2")}
    assert plan["gap"] == 0.0
    assert "最优方案" in plan["explanation"]


def test_backbone_share_decides_who_moves() -> None:
    instance = two_school_city()
    instance["demand"][0]["max"] = 1
    instance["rules"] = {"min_out_share": 0.3, "min_backbone_share": 1.0}
    plan = plan_rotation(instance, mip_gap=0.0)
    assert plan["status"] == "optimal"
    movers = {a["teacher"] for a in plan["assignments"]}
    assert movers == {"a", "d"}


def test_a_receiving_school_gets_a_full_team_or_nobody() -> None:
    instance = two_school_city()
    instance["rules"] = {"min_out_share": 0.34, "min_team_size": 2}
    plan = plan_rotation(instance, mip_gap=0.0)
    assert plan["status"] == "optimal"
    assert violations(instance, plan["assignments"]) == []
    teams: dict[str, int] = {}
    for a in plan["assignments"]:
        teams[a["to"]] = teams.get(a["to"], 0) + 1
    assert all(n >= 2 for n in teams.values())


def test_nobody_moves_when_no_quota_asks_for_it() -> None:
    instance = two_school_city()
    instance["rules"] = {}
    plan = plan_rotation(instance)
    assert plan == {**plan, "status": "optimal", "objective": 0.0, "assignments": []}


def test_the_same_instance_gives_the_same_plan() -> None:
    instance = two_school_city()
    instance["teachers"] += [teacher(f"x{i}", "S1") for i in range(6)]
    first = plan_rotation(instance)
    assert plan_rotation(copy.deepcopy(instance)) == first


# ---------------------------------------------------------------- infeasibility explained


def test_sending_school_without_demand_for_its_subjects_is_named() -> None:
    instance = two_school_city()
    instance["teachers"] += [teacher(name, "S2", "体育") for name in "fghi"]
    plan = plan_rotation(instance)
    assert plan["status"] == "infeasible"
    assert_well_formed_infeasible(instance, plan)
    [entry] = plan["infeasible"]
    assert entry["quota"] == "min_out_share"
    assert entry["schools"] == ["S2"]
    assert entry["details"][0]["required"] == 3
    assert entry["details"][0]["achievable"] == 2
    assert "S2" in plan["explanation"]
    assert "体育" in plan["explanation"]


def test_impossible_backbone_share_is_named() -> None:
    instance = two_school_city()
    instance["rules"] = {"min_out_share": 0.5, "min_backbone_share": 0.6}
    plan = plan_rotation(instance)
    assert plan["status"] == "infeasible"
    assert_well_formed_infeasible(instance, plan)
    [entry] = plan["infeasible"]
    assert entry["quota"] == "min_backbone_share"
    assert entry["schools"] == ["S1"]
    assert "S1" in plan["explanation"]
    assert "骨干" in plan["explanation"]


def test_demand_minimum_no_teacher_can_fill_is_named() -> None:
    instance = two_school_city()
    instance["demand"].append({"school": "R1", "subject": "英语", "min": 1})
    plan = plan_rotation(instance)
    assert plan["status"] == "infeasible"
    [entry] = plan["infeasible"]
    assert entry["quota"] == "demand.min"
    assert entry["schools"] == ["R1"]
    assert entry["details"][0]["subject"] == "英语"
    assert "R1" in plan["explanation"]
    assert "英语" in plan["explanation"]


def test_team_size_a_school_cannot_reach_is_named() -> None:
    instance = two_school_city()
    instance["demand"][2]["min"] = 1
    instance["demand"][1]["max"] = 0
    instance["rules"] = {"min_team_size": 2}
    plan = plan_rotation(instance)
    assert plan["status"] == "infeasible"
    [entry] = plan["infeasible"]
    assert entry["quota"] == "min_team_size"
    assert entry["schools"] == ["R2"]


def test_quotas_that_only_clash_together_are_named_together() -> None:
    # Every count passes (6 movers required, 6 places), but four of the movers teach 数学 and R1 takes 3.
    instance = {
        "teachers": [
            teacher(f"{s}{i}", s, "语文" if s == "S3" else "数学")
            for s in ("S1", "S2", "S3")
            for i in range(3)
        ],
        "schools": [
            school("S1", "sending", 30.0, 120.0),
            school("S2", "sending", 30.1, 120.0),
            school("S3", "sending", 30.2, 120.0),
            school("R1", "receiving", 30.05, 120.0),
            school("R2", "receiving", 30.15, 120.0),
        ],
        "demand": [
            {"school": "R1", "subject": "数学", "min": 0, "max": 3},
            {"school": "R2", "subject": "语文", "min": 0, "max": 3},
        ],
        "rules": {"min_out_share": 0.5},
    }
    plan = plan_rotation(instance)
    assert plan["status"] == "infeasible"
    assert_well_formed_infeasible(instance, plan)
    [entry] = plan["infeasible"]
    assert entry["quota"] == "min_out_share"
    assert entry["schools"] in (["S1"], ["S2"])
    assert entry["details"][0]["required"] == 2
    assert entry["details"][0]["achievable"] == 1
    assert "同时满足" in plan["explanation"]


def test_movers_that_no_split_into_full_teams_can_place_are_explained() -> None:
    # Four movers, two schools taking at most 3 each, teams of at least 3: fine for fractions, not for people.
    instance = {
        "teachers": [teacher(f"t{i}", "S1") for i in range(4)],
        "schools": [
            school("S1", "sending", 30.0, 120.0),
            school("R1", "receiving", 30.05, 120.0),
            school("R2", "receiving", 30.15, 120.0),
        ],
        "demand": [
            {"school": "R1", "subject": "数学", "min": 0, "max": 3},
            {"school": "R2", "subject": "数学", "min": 0, "max": 3},
        ],
        "rules": {"min_out_share": 1.0, "min_team_size": 3},
    }
    plan = plan_rotation(instance)
    assert plan["status"] == "infeasible"
    assert_well_formed_infeasible(instance, plan)
    [entry] = plan["infeasible"]
    assert entry["quota"] == "min_out_share"
    assert entry["schools"] == ["S1"]
    assert entry["details"][0]["achievable"] == 3


def test_more_movers_required_than_all_places_names_every_sending_school() -> None:
    instance = two_school_city()
    instance["demand"] = [{"school": "R1", "subject": "数学", "min": 0, "max": 2}]
    plan = plan_rotation(instance)
    assert plan["status"] == "infeasible"
    [entry] = plan["infeasible"]
    assert entry["quota"] == "min_out_share"
    assert entry["schools"] == ["S1", "S2"]
    assert entry["details"][0]["required"] == 3
    assert entry["details"][0]["achievable"] == 2


# ---------------------------------------------------------------- commute


def one_teacher(**distance: float) -> dict[str, Any]:
    instance: dict[str, Any] = {
        "teachers": [teacher("t", "S")],
        "schools": [school("S", "sending", 0.0, 0.0), school("R", "receiving", 0.0, 1.0)],
        "demand": [{"school": "R", "subject": "数学", "min": 1}],
    }
    if distance:
        instance["distance"] = {"t": distance}
    return instance


def test_commute_defaults_to_the_great_circle_between_the_schools() -> None:
    plan = plan_rotation(one_teacher())
    # One degree of longitude on the equator: 2π × 6371.0088 km / 360.
    assert plan["objective"] == pytest.approx(111.195, abs=1e-3)


def test_explicit_distance_replaces_the_great_circle() -> None:
    plan = plan_rotation(one_teacher(R=7.5))
    assert plan["objective"] == 7.5


def test_explicit_distances_can_change_who_goes_where() -> None:
    instance: dict[str, Any] = {
        "teachers": [teacher("near", "S1"), teacher("far", "S2")],
        "schools": [
            school("S1", "sending", 30.0, 120.0),
            school("S2", "sending", 30.3, 120.0),
            school("R1", "receiving", 30.0, 120.01),
        ],
        "demand": [{"school": "R1", "subject": "数学", "min": 1, "max": 1}],
    }
    assert plan_rotation(instance)["assignments"] == [{"teacher": "near", "to": "R1"}]
    instance["distance"] = {"near": {"R1": 40.0}, "far": {"R1": 3.0}}
    plan = plan_rotation(instance)
    assert plan["assignments"] == [{"teacher": "far", "to": "R1"}]
    assert plan["objective"] == 3.0


def test_a_partial_distance_row_falls_back_to_the_great_circle() -> None:
    instance = one_teacher(R=5.0)
    instance["schools"].append(school("R2", "receiving", 0.0, 0.5))
    instance["demand"] = [{"school": "R2", "subject": "数学", "min": 1}]
    plan = plan_rotation(instance)
    assert plan["objective"] == pytest.approx(111.195 / 2, abs=1e-3)


def test_coordinates_are_not_needed_when_every_commute_is_given() -> None:
    instance = {
        "teachers": [teacher("t", "S")],
        "schools": [school("S", "sending"), school("R", "receiving")],
        "demand": [{"school": "R", "subject": "数学", "min": 1}],
        "distance": {"t": {"R": 12.0}},
    }
    assert plan_rotation(instance)["objective"] == 12.0


def test_missing_coordinates_without_distance_name_the_school() -> None:
    instance = one_teacher()
    del instance["schools"][1]["lat"]
    with pytest.raises(InvalidInstance) as caught:
        plan_rotation(instance)
    assert caught.value.field == "schools[1].lat"


def test_teachers_with_identical_distance_rows_are_planned_like_one_class() -> None:
    instance = {
        "teachers": [teacher(f"t{i}", "S") for i in range(4)],
        "schools": [school("S", "sending"), school("R1", "receiving"), school("R2", "receiving")],
        "demand": [
            {"school": "R1", "subject": "数学", "min": 1, "max": 2},
            {"school": "R2", "subject": "数学", "min": 2},
        ],
        "distance": {
            "t0": {"R1": 1.0, "R2": 9.0},
            "t1": {"R1": 1.0, "R2": 9.0},
            "t2": {"R1": 5.0, "R2": 2.0},
            "t3": {"R1": 5.0, "R2": 2.0},
        },
        "rules": {"min_out_share": 1.0},
    }
    plan = plan_rotation(instance, mip_gap=0.0)
    assert plan["status"] == "optimal"
    assert violations(instance, plan["assignments"]) == []
    # All four must move; R2 needs two: the cheapest is t2, t3 to R2 and t0, t1 to R1.
    assert plan["objective"] == 1.0 + 1.0 + 2.0 + 2.0


# ---------------------------------------------------------------- the JSON command


def test_plan_file_writes_readable_utf8_json(tmp_path: Path) -> None:
    source = tmp_path / "instance.json"
    target = tmp_path / "plan.json"
    source.write_text(json.dumps(two_school_city(), ensure_ascii=False), encoding="utf-8")
    plan = plan_rotation_file(source, target)
    text = target.read_text(encoding="utf-8")
    assert json.loads(text) == plan
    assert "最优方案" in text
    assert text.startswith('{\n  "status"')


def test_plan_file_reports_broken_json_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "instance.json"
    source.write_text('{\n  "teachers": [,]\n}', encoding="utf-8")
    with pytest.raises(InvalidInstance) as caught:
        plan_rotation_file(source, tmp_path / "plan.json")
    assert caught.value.file == str(source)
    assert caught.value.row == 2


def test_plan_file_names_the_bad_field_and_the_file(tmp_path: Path) -> None:
    source = tmp_path / "instance.json"
    instance = two_school_city()
    del instance["teachers"][3]["subject"]
    source.write_text(json.dumps(instance), encoding="utf-8")
    with pytest.raises(InvalidInstance) as caught:
        plan_rotation_file(source, tmp_path / "plan.json")
    assert caught.value.field == "teachers[3].subject"
    assert caught.value.file == str(source)


# ---------------------------------------------------------------- edges


def test_a_teacher_of_a_receiving_school_may_move_to_another_but_not_to_its_own() -> None:
    instance = {
        "teachers": [teacher("t", "R1")],
        "schools": [school("R1", "receiving", 30.0, 120.0), school("R2", "receiving", 30.1, 120.0)],
        "demand": [
            {"school": "R1", "subject": "数学", "min": 0},
            {"school": "R2", "subject": "数学", "min": 1},
        ],
    }
    assert plan_rotation(instance)["assignments"] == [{"teacher": "t", "to": "R2"}]
    instance["demand"] = [{"school": "R1", "subject": "数学", "min": 1}]
    assert plan_rotation(instance)["infeasible"][0]["quota"] == "demand.min"


def city(teachers: int, schools_per_side: int, seed: int) -> dict[str, Any]:
    """A seeded random city big enough that HiGHS needs more than a few milliseconds."""
    rng = random.Random(seed)
    subjects = ["数学", "语文", "英语", "物理"]
    schools = [
        school(f"{role[0].upper()}{i}", role, 30 + rng.random() * 0.3, 120 + rng.random() * 0.3)
        for role in ("sending", "receiving")
        for i in range(schools_per_side)
    ]
    staff = [
        teacher(f"T{i}", f"S{rng.randrange(schools_per_side)}", rng.choice(subjects), rng.random() < 0.4)
        for i in range(teachers)
    ]
    demand = [
        {"school": f"R{r}", "subject": subject, "min": rng.randint(0, 2), "max": rng.randint(3, 8)}
        for r in range(schools_per_side)
        for subject in subjects
    ]
    rules = {"min_out_share": 0.2, "min_backbone_share": 0.3, "min_team_size": 3}
    return {"teachers": staff, "schools": schools, "demand": demand, "rules": rules}


def test_a_mid_size_city_is_planned_to_optimality_with_every_quota_kept() -> None:
    instance = city(teachers=2000, schools_per_side=40, seed=7)
    plan = plan_rotation(instance)
    assert plan["status"] == "optimal"
    assert plan["gap"] <= 0.001
    assert violations(instance, plan["assignments"]) == []
    assert plan["objective"] == pytest.approx(total_commute(instance, plan["assignments"]), abs=1e-3)


def test_a_time_limit_too_short_never_yields_a_broken_plan() -> None:
    instance = city(teachers=2000, schools_per_side=40, seed=7)
    plan = plan_rotation(instance, time_limit=0.001)
    assert plan["status"] in {"optimal", "feasible", "unknown"}
    assert violations(instance, plan["assignments"]) == [] or plan["status"] == "unknown"
    if plan["status"] == "unknown":
        assert plan["assignments"] == []
        assert "时限" in plan["explanation"]
