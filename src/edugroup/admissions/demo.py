"""Demo admissions for 示例区: quota allocations and entry outcomes of every junior-teaching school for school
years 2024 and 2025 (the 2025 and 2026 中考), deterministic.

- Quota allocations (HK-21): each junior, nine-year and twelve-year school gets places from two of three 市实验性
  示范性高中 (the region's first two senior highs and one city-run school outside the registry). Every place
  is filled except: 2025, one place at 示例第四初级中学 (a member of SL-T2: SL-T2 and its district fall
  below 100%); 2024, one place at 示例第六学校 (SL-P1).
- Entry outcomes (HK-22): graduates are one grade of the school's pupils; the share entering a quality
  senior-high-stage school follows the school's tier (优质校 ≈ 78%, 一般校 ≈ 62%, 相对薄弱校 ≈ 46%, 2024 two
  points lower), so groups of stronger schools stand above the city average and the programme of weaker
  schools below it. 示例市 has one region, so its average is 示例区's.
"""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from edugroup.admissions.models import EntryOutcome, QuotaAllocation
from edugroup.org.demo import DemoWorld
from edugroup.org.models import QualityTier, School, Stage

CITY_SCHOOL = "示例市实验性示范性高中(市属)"
GRADES = {Stage.junior: 4, Stage.nine_year: 9, Stage.twelve_year: 12}
RATES = {QualityTier.quality: 0.78, QualityTier.ordinary: 0.62, QualityTier.weaker: 0.46}
SHORT = {2025: (Stage.junior, 3), 2024: (Stage.nine_year, 5)}  # (stage, index) of the school one place short


def load_demo(session: Session, world: DemoWorld) -> None:
    """Allocations and outcomes of the module's description."""
    region, schools = world.region, world.schools
    rng = random.Random(20260615)
    seniors = schools[Stage.senior][:2]
    targets: list[tuple[School | None, str]] = [(s, s.name) for s in seniors] + [(None, CITY_SCHOOL)]
    records: list[QuotaAllocation | EntryOutcome] = []
    for year in (2024, 2025):
        short_stage, short_index = SHORT[year]
        for stage in (Stage.junior, Stage.nine_year, Stage.twelve_year):
            for index, school in enumerate(schools[stage]):
                chosen = rng.sample(targets, 2)
                for k, (senior, name) in enumerate(chosen):
                    planned = rng.randint(3, 8)
                    short = stage is short_stage and index == short_index and k == 0
                    records.append(
                        QuotaAllocation(
                            region_id=region.id,
                            school_year=year,
                            school_id=school.id,
                            senior_school_id=senior.id if senior is not None else None,
                            senior_school_name=name,
                            planned=planned,
                            filled=planned - 1 if short else planned,
                            note="1名录取考生放弃, 未补录" if short else None,
                        )
                    )
                graduates = max(40, school.student_count // GRADES[stage])
                rate = RATES[school.quality_tier] - (0.02 if year == 2024 else 0) + rng.uniform(-0.04, 0.04)
                records.append(
                    EntryOutcome(
                        region_id=region.id,
                        school_year=year,
                        school_id=school.id,
                        graduates=graduates,
                        quality_entries=round(graduates * rate),
                    )
                )
    session.add_all(records)
    session.flush()
