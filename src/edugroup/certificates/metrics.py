"""The `certificates.count` metric (OH-11, OH-12). OH-11's threshold, a group's teachers, is `teachers.count`
of the teacher records (teachers/metrics.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from edugroup.certificates import service
from edugroup.certificates.service import CertificateRow
from edugroup.core.periods import Period
from edugroup.policy.contract import EntityRef, EvalContext, Measurement, register_metric


@register_metric("certificates.count")
def count_certificates(
    ctx: EvalContext, entities: Sequence[EntityRef], period: Period, params: dict[str, Any]
) -> list[Measurement]:
    """Certificates of one kind issued in the period: to a teacher, at a school (the teacher's school when
    issued), or by a group (OH-11 per group, OH-12 per teacher)."""
    start, end = ctx.window
    rows: list[CertificateRow] = ctx.cached(
        ("certificates", start, end),
        lambda: service.certificates_in(ctx.session, region_id=ctx.region_id, start=start, end=end),
    )
    found: dict[tuple[str, int], list[int]] = defaultdict(list)
    for c in rows:
        if c.kind.value != params["kind"] or not period.start <= c.issued_on <= period.end:
            continue
        found[("teacher", c.teacher_id)].append(c.id)
        found[("school", c.school_id)].append(c.id)
        found[("group", c.group_id)].append(c.id)
    return [
        Measurement(
            e.id,
            float(len(found.get((e.type, e.id), []))),
            tuple(f"demonstration_certificates:{i}" for i in found.get((e.type, e.id), [])),
        )
        for e in entities
    ]
