"""Benchmark of the rotation planner on a seeded city, beside a greedy baseline.

    /tmp/v/bin/python bench/bench_rotation.py --repeat 3 --threads 2

The city: 20,000 eligible teachers in 300 sending schools (dense towards the centre) and 300 receiving
schools spread over a 40 km × 40 km square, 10 subjects, backbone teachers rarer than the backbone share
asks of movers, and demand whose caps leave only ~10 % room over the out quotas, with minimums that pull
teachers to every corner. Rules: min_out_share 0.2, min_backbone_share 0.3, min_team_size 3.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from typing import Any

import numpy as np

from edugroup.algorithms.rotation.instance import great_circle_km
from edugroup.algorithms.rotation.planner import SolveOptions, plan_rotation, plan_with_options

SUBJECTS = ["语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "道德与法治", "体育"]
SUBJECT_WEIGHTS = np.array([0.18, 0.18, 0.15, 0.08, 0.06, 0.06, 0.07, 0.06, 0.06, 0.10])
CENTRE = (30.25, 120.16)
RULES = {"min_out_share": 0.2, "min_backbone_share": 0.3, "min_team_size": 3}


def build_city(
    seed: int = 2026,
    teachers: int = 20_000,
    sending: int = 300,
    receiving: int = 300,
    half_side_km: float = 20.0,
    room: float = 1.1,
    explicit_share: float = 0.0,
) -> dict[str, Any]:
    """A deterministic city instance in the planner's JSON shape; demand caps total `room` × out quotas."""
    rng = np.random.default_rng(seed)
    km_per_lat = 111.32
    km_per_lon = km_per_lat * math.cos(math.radians(CENTRE[0]))

    def place(xy_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xy = np.clip(xy_km, -half_side_km, half_side_km)
        return CENTRE[0] + xy[:, 1] / km_per_lat, CENTRE[1] + xy[:, 0] / km_per_lon

    send_lat, send_lon = place(rng.normal(0.0, half_side_km * 0.4, size=(sending, 2)))
    recv_lat, recv_lon = place(rng.uniform(-half_side_km, half_side_km, size=(receiving, 2)))
    schools = [
        {
            "id": f"S{i:03d}",
            "role": "sending",
            "lat": round(float(send_lat[i]), 6),
            "lon": round(float(send_lon[i]), 6),
        }
        for i in range(sending)
    ] + [
        {
            "id": f"R{i:03d}",
            "role": "receiving",
            "lat": round(float(recv_lat[i]), 6),
            "lon": round(float(recv_lon[i]), 6),
        }
        for i in range(receiving)
    ]

    base = 20
    sizes = base + rng.multinomial(teachers - base * sending, _normalised(rng.lognormal(0.0, 0.4, sending)))
    backbone_rate = rng.uniform(0.15, 0.35, sending)
    teacher_rows: list[dict[str, Any]] = []
    for s, size in enumerate(sizes):
        subjects = rng.choice(len(SUBJECTS), size=int(size), p=SUBJECT_WEIGHTS)
        backbone = rng.random(int(size)) < backbone_rate[s]
        quota = math.ceil(round(RULES["min_out_share"] * int(size), 9))
        backbone[: math.ceil(round(RULES["min_backbone_share"] * quota, 9)) + 1] = True
        for k in range(int(size)):
            teacher_rows.append(
                {
                    "id": f"T{len(teacher_rows):05d}",
                    "school": f"S{s:03d}",
                    "subject": SUBJECTS[int(subjects[k])],
                    "backbone": bool(backbone[k]),
                }
            )

    out_total = sum(math.ceil(round(RULES["min_out_share"] * int(n), 9)) for n in sizes)
    capacity = rng.multinomial(int(out_total * room), SUBJECT_WEIGHTS)
    optional_school = rng.random(receiving) < 0.15
    demand_rows: list[dict[str, Any]] = []
    for j, subject in enumerate(SUBJECTS):
        takers = np.flatnonzero(
            rng.random(receiving) < 0.35 + 0.5 * SUBJECT_WEIGHTS[j] / SUBJECT_WEIGHTS.max()
        )
        caps = 1 + rng.multinomial(
            int(capacity[j]) - len(takers), _normalised(rng.uniform(0.5, 1.5, len(takers)))
        )
        for r, cap in zip(takers, caps, strict=True):
            low = (
                0 if optional_school[r] or rng.random() < 0.4 else int(math.ceil(cap * rng.uniform(0.3, 0.7)))
            )
            demand_rows.append({"school": f"R{r:03d}", "subject": subject, "min": low, "max": int(cap)})
    demand_rows.sort(key=lambda row: (row["school"], SUBJECTS.index(row["subject"])))
    by_school: dict[str, list[dict[str, Any]]] = {}
    for row in demand_rows:
        by_school.setdefault(row["school"], []).append(row)
    for rows in by_school.values():  # room for a full team wherever a school asks for anyone
        short = RULES["min_team_size"] - sum(row["max"] for row in rows)
        if short > 0:
            rows[0]["max"] += short
    instance = {"teachers": teacher_rows, "schools": schools, "demand": demand_rows, "rules": dict(RULES)}
    if explicit_share > 0:
        instance["distance"] = _home_commutes(instance, explicit_share, rng, km_per_lat, km_per_lon)
    return instance


def _home_commutes(
    instance: dict[str, Any], share: float, rng: np.random.Generator, km_per_lat: float, km_per_lon: float
) -> dict[str, dict[str, float]]:
    """Explicit rows for a share of the teachers: road km (1.3 × great circle) from a home near their school."""
    schools = {s["id"]: s for s in instance["schools"]}
    receiving = [s for s in instance["schools"] if s["role"] == "receiving"]
    recv_lat = np.array([s["lat"] for s in receiving])
    recv_lon = np.array([s["lon"] for s in receiving])
    chosen = [t for t in instance["teachers"] if rng.random() < share]
    offsets = rng.normal(0.0, 3.0, size=(len(chosen), 2))
    rows: dict[str, dict[str, float]] = {}
    for t, (dx, dy) in zip(chosen, offsets, strict=True):
        home = schools[t["school"]]
        km = 1.3 * great_circle_km(
            home["lat"] + dy / km_per_lat, home["lon"] + dx / km_per_lon, recv_lat, recv_lon
        )
        rows[t["id"]] = {s["id"]: round(float(d), 2) for s, d in zip(receiving, km, strict=True)}
    return rows


def _normalised(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def _commute_table(instance: dict[str, Any]) -> tuple[dict[str, int], np.ndarray]:
    """Great-circle km from every school to every school (the instance gives no explicit distances)."""
    index = {s["id"]: i for i, s in enumerate(instance["schools"])}
    lat = np.array([s["lat"] for s in instance["schools"]])
    lon = np.array([s["lon"] for s in instance["schools"]])
    return index, great_circle_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])


def greedy(instance: dict[str, Any]) -> list[dict[str, Any]]:
    """Baseline: nearest pairs first, in four passes (minimums, out quotas, leftover minimums, team sizes).

    It keeps each school's backbone share as it goes but does not look ahead, so it may break a quota;
    `count_violations` says how often.
    """
    rules = instance["rules"]
    index, km = _commute_table(instance)
    staff: dict[str, int] = {}
    pools: dict[tuple[str, str], dict[bool, list[str]]] = {}
    for t in instance["teachers"]:
        staff[t["school"]] = staff.get(t["school"], 0) + 1
        pools.setdefault((t["school"], t["subject"]), {True: [], False: []})[t["backbone"]].append(t["id"])
    need = {s: math.ceil(round(rules["min_out_share"] * n, 9)) for s, n in staff.items()}
    sent = dict.fromkeys(staff, 0)
    sent_backbone = dict.fromkeys(staff, 0)
    rows = instance["demand"]
    taken = [0] * len(rows)
    intake: dict[str, int] = {}
    pairs = sorted(
        (float(km[index[home], index[row["school"]]]), g, d)
        for g, (home, subject) in enumerate(pools)
        for d, row in enumerate(rows)
        if row["subject"] == subject
    )
    groups = list(pools)
    plan: list[dict[str, Any]] = []

    def take(group: tuple[str, str], d: int, beyond_quota: bool) -> bool:
        home = group[0]
        pool = pools[group]
        # Another non-backbone mover is fine while the backbone share still holds after it.
        others_ok = sent_backbone[home] >= rules["min_backbone_share"] * (max(sent[home], need[home] - 1) + 1)
        if pool[False] and (others_ok or not pool[True]) and (others_ok or beyond_quota):
            teacher, backbone = pool[False].pop(0), False
        elif pool[True]:
            teacher, backbone = pool[True].pop(0), True
        else:
            return False
        plan.append({"teacher": teacher, "to": rows[d]["school"]})
        sent[home] += 1
        sent_backbone[home] += backbone
        taken[d] += 1
        intake[rows[d]["school"]] = intake.get(rows[d]["school"], 0) + 1
        return True

    def room(d: int) -> bool:
        return rows[d].get("max") is None or taken[d] < rows[d]["max"]

    for _, g, d in pairs:  # minimums, within out quotas
        while (
            taken[d] < rows[d]["min"]
            and sent[groups[g][0]] < need[groups[g][0]]
            and take(groups[g], d, False)
        ):
            pass
    for _, g, d in pairs:  # out quotas
        while sent[groups[g][0]] < need[groups[g][0]] and room(d) and take(groups[g], d, False):
            pass
    for _, g, d in pairs:  # minimums still open, beyond quotas
        while taken[d] < rows[d]["min"] and take(groups[g], d, True):
            pass
    team = rules["min_team_size"]
    for _, g, d in pairs:  # teams too small
        school = rows[d]["school"]
        while 0 < intake.get(school, 0) < team and room(d) and take(groups[g], d, True):
            pass
    return plan


def count_violations(instance: dict[str, Any], assignments: list[dict[str, Any]]) -> int:
    """How many quotas (per school, per demand row) the assignments break."""
    rules = instance["rules"]
    teachers = {t["id"]: t for t in instance["teachers"]}
    staff: dict[str, int] = {}
    for t in instance["teachers"]:
        staff[t["school"]] = staff.get(t["school"], 0) + 1
    sent: dict[str, int] = {}
    sent_backbone: dict[str, int] = {}
    intake: dict[tuple[str, str], int] = {}
    for a in assignments:
        t = teachers[a["teacher"]]
        sent[t["school"]] = sent.get(t["school"], 0) + 1
        sent_backbone[t["school"]] = sent_backbone.get(t["school"], 0) + t["backbone"]
        intake[(a["to"], t["subject"])] = intake.get((a["to"], t["subject"]), 0) + 1
    broken = 0
    for school, n in staff.items():
        movers = sent.get(school, 0)
        broken += movers < math.ceil(round(rules["min_out_share"] * n, 9))
        broken += sent_backbone.get(school, 0) < rules["min_backbone_share"] * movers - 1e-9
    totals: dict[str, int] = {}
    for row in instance["demand"]:
        n = intake.pop((row["school"], row["subject"]), 0)
        broken += not row["min"] <= n <= (row.get("max") if row.get("max") is not None else n)
        totals[row["school"]] = totals.get(row["school"], 0) + n
    broken += len(intake)  # moves to a school that did not ask for the subject
    broken += sum(1 for n in totals.values() if 0 < n < rules["min_team_size"])
    return broken


def total_km(instance: dict[str, Any], assignments: list[dict[str, Any]]) -> float:
    """Total great-circle commute of the assignments."""
    index, km = _commute_table(instance)
    home = {t["id"]: t["school"] for t in instance["teachers"]}
    return float(sum(km[index[home[a["teacher"]]], index[a["to"]]] for a in assignments))


def binding(instance: dict[str, Any], assignments: list[dict[str, Any]]) -> str:
    """How many quotas the plan meets with nothing to spare: evidence that the demand makes them bind."""
    rules = instance["rules"]
    teachers = {t["id"]: t for t in instance["teachers"]}
    staff: dict[str, int] = {}
    for t in instance["teachers"]:
        staff[t["school"]] = staff.get(t["school"], 0) + 1
    sent: dict[str, int] = dict.fromkeys(staff, 0)
    backbone: dict[str, int] = dict.fromkeys(staff, 0)
    intake: dict[tuple[str, str], int] = {}
    for a in assignments:
        t = teachers[a["teacher"]]
        sent[t["school"]] += 1
        backbone[t["school"]] += t["backbone"]
        intake[(a["to"], t["subject"])] = intake.get((a["to"], t["subject"]), 0) + 1
    at_quota = sum(sent[s] == math.ceil(round(rules["min_out_share"] * n, 9)) for s, n in staff.items())
    at_floor = sum(
        sent[s] > 0 and backbone[s] == math.ceil(round(rules["min_backbone_share"] * sent[s], 9))
        for s in staff
    )
    teams: dict[str, int] = {}
    for (school, _), n in intake.items():
        teams[school] = teams.get(school, 0) + n
    rows = instance["demand"]
    with_min = [r for r in rows if r["min"] > 0]
    return (
        f"sending schools at their out quota {at_quota}/{len(staff)}, at their backbone minimum {at_floor}/{len(staff)}; "
        f"receiving schools with a team of exactly {rules['min_team_size']}: "
        f"{sum(n == rules['min_team_size'] for n in teams.values())}/{len(teams)}; "
        f"demand rows at min {sum(intake.get((r['school'], r['subject']), 0) == r['min'] for r in with_min)}/{len(with_min)}, "
        f"at max {sum(intake.get((r['school'], r['subject']), 0) == r['max'] for r in rows)}/{len(rows)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--teachers", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--mip-gap", type=float, default=0.001)
    parser.add_argument(
        "--explicit-share",
        type=float,
        default=0.0,
        help="share of teachers given explicit distance rows (no greedy then)",
    )
    parser.add_argument(
        "--unpruned", action="store_true", help="also time, once, the model with every arc in it"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    instance = build_city(seed=args.seed, teachers=args.teachers, explicit_share=args.explicit_share)
    built = time.perf_counter() - started
    quotas = sum(
        math.ceil(round(RULES["min_out_share"] * n, 9))
        for n in np.unique([t["school"] for t in instance["teachers"]], return_counts=True)[1]
    )
    print(
        f"city seed={args.seed}: {len(instance['teachers'])} teachers "
        f"({len(instance.get('distance', {}))} with explicit distance rows), "
        f"{sum(s['role'] == 'sending' for s in instance['schools'])} sending / "
        f"{sum(s['role'] == 'receiving' for s in instance['schools'])} receiving schools, "
        f"{len(instance['demand'])} demand rows; out quotas {quotas}, "
        f"demand min {sum(r['min'] for r in instance['demand'])}, max {sum(r['max'] for r in instance['demand'])} "
        f"(built in {built:.2f} s)"
    )

    times: list[float] = []
    objectives: list[float] = []
    gaps: list[float] = []
    for run in range(1, args.repeat + 1):
        started = time.perf_counter()
        plan = plan_rotation(instance, time_limit=args.time_limit, mip_gap=args.mip_gap, threads=args.threads)
        elapsed = time.perf_counter() - started
        if plan["objective"] is None or plan["gap"] is None:
            raise SystemExit(f"planner run {run}: {plan['status']}: {plan['explanation']}")
        times.append(elapsed)
        objectives.append(plan["objective"])
        gaps.append(plan["gap"])
        print(
            f"planner run {run}: {plan['status']}, objective {plan['objective']:.3f} km, gap {plan['gap']:.2e}, "
            f"{len(plan['assignments'])} movers, {count_violations(instance, plan['assignments'])} broken quotas, "
            f"{elapsed:.2f} s"
        )
    print(f"binding: {binding(instance, plan['assignments'])}")
    median_objective = statistics.median(objectives)
    summary = (
        f"median over {args.repeat} runs ({args.threads} threads): time {statistics.median(times):.2f} s, "
        f"objective {median_objective:.3f} km, gap {statistics.median(gaps):.2e}"
    )

    if args.unpruned:
        started = time.perf_counter()
        whole = plan_with_options(
            instance, SolveOptions(time_limit=3600, mip_gap=args.mip_gap, threads=args.threads, prune=False)
        )
        print(
            f"every arc in the model, no pricing: {whole['status']}, objective {whole['objective']:.3f} km, "
            f"{time.perf_counter() - started:.2f} s"
        )

    if args.explicit_share == 0:
        started = time.perf_counter()
        baseline = greedy(instance)
        greedy_time = time.perf_counter() - started
        greedy_km = total_km(instance, baseline)
        print(
            f"greedy: objective {greedy_km:.3f} km, {len(baseline)} movers, "
            f"{count_violations(instance, baseline)} broken quotas, {greedy_time:.2f} s"
        )
        summary += f"; greedy objective {greedy_km:.3f} km (+{greedy_km / median_objective - 1:.1%})"
    print(summary)


if __name__ == "__main__":
    main()
