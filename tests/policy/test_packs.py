"""Policy packs: every clause of the catalogue in its pack, quoted from its seed, and refused when bad."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import cast

import pytest

from edugroup.core.errors import Conflict, InvalidInput, NotFound
from edugroup.core.periods import SchoolYear, Semester
from edugroup.policy.clauses import CatalogueClause, clause_catalogue, clauses_by_id
from edugroup.policy.metrics import CATALOGUE
from edugroup.policy.packs import (
    PackError,
    PackLibrary,
    builtin_pack_names,
    builtin_packs,
    load_pack,
    load_pack_text,
)
from edugroup.policy.schemas import (
    FILTER_ENTITIES,
    ClauseKind,
    FlowClause,
    MetricRef,
    Pack,
    RecordClause,
    RuleCheck,
    RuleClause,
    Scope,
    WeightClause,
)

PACK_DIR = Path(__file__).parents[2] / "src" / "edugroup" / "policy" / "packs"


@cache
def packs_by_id() -> dict[str, Pack]:
    return {pack.id: pack for pack in builtin_packs()}


def all_clauses() -> list[tuple[str, str]]:
    return [(pack.id, clause.id) for pack in packs_by_id().values() for clause in pack.clauses]


def all_rule_checks() -> list[tuple[str, str]]:
    return [(pack.id, check.id) for pack in packs_by_id().values() for check in pack.rule_checks()]


PACK_IDS = ["hongkou-2025", "shanghai-tight", "ouhai-2022", "qingpu-2023", "hedong-2018"]


# --- the clause catalogue (src/edugroup/policy/clauses.yaml) ------------------------------------------------


def test_the_catalogue_lists_the_seventy_seven_clauses_of_the_five_documents() -> None:
    counts = {pack: sum(1 for c in clause_catalogue() if c.pack == pack) for pack in PACK_IDS}
    assert counts == {
        "hongkou-2025": 26,
        "shanghai-tight": 18,
        "ouhai-2022": 16,
        "qingpu-2023": 11,
        "hedong-2018": 6,
    }
    assert len(clause_catalogue()) == 77
    assert list(dict.fromkeys(c.pack for c in clause_catalogue())) == PACK_IDS


def test_catalogue_ids_are_unique_and_carry_their_pack_prefix() -> None:
    prefixes = {
        "hongkou-2025": "HK",
        "shanghai-tight": "SH",
        "ouhai-2022": "OH",
        "qingpu-2023": "QP",
        "hedong-2018": "HD",
    }
    assert len(clauses_by_id()) == len(clause_catalogue())
    for clause in clause_catalogue():
        assert re.fullmatch(rf"{prefixes[clause.pack]}-\d{{2}}", clause.id), clause.id
        assert clause.summary is not None
        assert re.search(r"[\u4e00-\u9fff]", clause.summary), clause.id


def test_the_five_packs_ship_and_each_file_is_named_after_its_pack() -> None:
    assert builtin_pack_names() == sorted(f"{pack}.yaml" for pack in PACK_IDS)
    for name in builtin_pack_names():
        assert load_pack(PACK_DIR / name).id == name.removesuffix(".yaml")


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_clause_listed_for_a_document_is_in_its_pack_and_no_other(pack_id: str) -> None:
    listed = [c.id for c in clause_catalogue() if c.pack == pack_id]
    assert packs_by_id()[pack_id].clause_ids == listed


@pytest.mark.parametrize(("pack_id", "clause_id"), all_clauses())
def test_every_clause_of_a_pack_is_in_the_catalogue_with_its_kind_and_pack(
    pack_id: str, clause_id: str
) -> None:
    listed = clauses_by_id().get(clause_id)
    assert listed is not None, f"{clause_id} of {pack_id} is not in clauses.yaml"
    assert (listed.pack, listed.kind) == (pack_id, packs_by_id()[pack_id].clause(clause_id).kind)


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_each_clause_has_the_kind_the_catalogue_gives_it(pack_id: str) -> None:
    pack = packs_by_id()[pack_id]
    for listed in (c for c in clause_catalogue() if c.pack == pack_id):
        assert pack.clause(listed.id).kind == listed.kind, listed.id


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_each_pack_cites_the_seed_file_the_catalogue_gives_it(pack_id: str) -> None:
    seeds = {c.seed for c in clause_catalogue() if c.pack == pack_id}
    assert seeds == {packs_by_id()[pack_id].source}


# --- the documents in ../shared: POLICY-CLAUSES.md and the seeds (marked `shared`) -------------------------


def listed_in_policy_clauses_md(shared: Path) -> tuple[CatalogueClause, ...]:
    """Every clause of POLICY-CLAUSES.md, with the pack and seed file of the section it is listed under."""
    clauses: list[CatalogueClause] = []
    pack = seed = None
    for line in (shared / "POLICY-CLAUSES.md").read_text(encoding="utf-8").splitlines():
        if heading := re.match(r"^## ([a-z0-9-]+) \((\S+\.txt)\)", line):
            pack, seed = heading.group(1), heading.group(2)
        elif row := re.match(r"^\| ([A-Z]{2}-\d{2}) \| (RULE|FLOW|RECORD|WEIGHT) \| ([^|]+?) \|", line):
            assert pack is not None, f"clause {row.group(1)} listed before any pack"
            assert seed is not None
            kind = cast(ClauseKind, row.group(2).lower())
            clauses.append(CatalogueClause(row.group(1), kind, pack, seed, row.group(3)))
    return tuple(clauses)


@cache
def seed_text(shared: Path, name: str) -> str:
    return normalised((shared / "seeds" / name).read_text(encoding="utf-8"))


def normalised(text: str) -> str:
    """Text without whitespace: seeds break lines and space digits (工作例会 2 次以上) at random."""
    return re.sub(r"\s+", "", text)


@pytest.mark.shared
def test_the_catalogue_is_what_policy_clauses_md_lists(shared_dir: Path) -> None:
    assert clause_catalogue() == listed_in_policy_clauses_md(shared_dir)


@pytest.mark.shared
@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_the_seed_readme_names_each_pack_s_seed_file(pack_id: str, shared_dir: Path) -> None:
    readme = (shared_dir / "seeds" / "README.md").read_text(encoding="utf-8")
    pack = packs_by_id()[pack_id]
    assert re.search(rf"^\| {re.escape(pack.source)} \| `{re.escape(pack_id)}` \|", readme, re.MULTILINE)


@pytest.mark.shared
@pytest.mark.parametrize(("pack_id", "clause_id"), all_clauses())
def test_every_quote_is_a_verbatim_substring_of_its_seed(
    pack_id: str, clause_id: str, shared_dir: Path
) -> None:
    pack = packs_by_id()[pack_id]
    quote = pack.clause(clause_id).source.quote
    assert normalised(quote) in seed_text(shared_dir, pack.source), f"{clause_id}: {quote}"


# --- the packs themselves -----------------------------------------------------------------------------------


def test_editions_are_the_document_dates() -> None:
    assert {pack_id: pack.edition for pack_id, pack in packs_by_id().items()} == {
        "hongkou-2025": date(2025, 3, 10),
        "shanghai-tight": date(2018, 9, 10),  # undated text; earliest date it allows (see the pack's comment)
        "ouhai-2022": date(2022, 12, 23),
        "qingpu-2023": date(2023, 11, 1),
        "hedong-2018": date(2018, 3, 8),
    }


@pytest.mark.parametrize("name", builtin_pack_names())
def test_pack_files_are_utf8_with_chinese_written_as_is(name: str) -> None:
    text = (PACK_DIR / name).read_bytes().decode("utf-8")
    assert "\\u" not in text
    assert "\\x" not in text
    assert re.search(r"[\u4e00-\u9fff]", text)


# --- what the engine reads ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("pack_id", "check_id"), all_rule_checks())
def test_every_rule_check_has_metric_scope_period_comparator_and_threshold(
    pack_id: str, check_id: str
) -> None:
    check = next(c for c in packs_by_id()[pack_id].rule_checks() if c.id == check_id)
    assert check.metric in CATALOGUE
    assert check.scope.entity
    assert check.period.unit in ("semester", "school_year", "round")
    assert check.comparator in (">=", ">", "<=", "<", "==", "in_range")
    assert check.threshold is not None
    assert check.definition.param_problems(check.params) == []
    assert set(check.scope.entity) <= check.definition.entities


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_record_and_flow_clauses_name_the_feature_implementing_them(pack_id: str) -> None:
    for clause in packs_by_id()[pack_id].clauses:
        if isinstance(clause, RecordClause | FlowClause):
            assert re.fullmatch(r"[a-z][a-z0-9_]*", clause.feature.id)
            assert re.search(r"[\u4e00-\u9fff]", clause.feature.description), clause.id


@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_every_clause_has_a_chinese_title(pack_id: str) -> None:
    for clause in packs_by_id()[pack_id].clauses:
        assert re.search(r"[\u4e00-\u9fff]", clause.title), clause.id


def test_weight_clauses_carry_their_weight_and_comparator() -> None:
    weights = {
        check.id: (check.assessment, check.component, check.comparator, check.threshold)
        for pack in packs_by_id().values()
        for clause in pack.clauses
        if isinstance(clause, WeightClause)
        for check in clause.checks
    }
    assert weights["HK-25"] == ("principal_evaluation", "group_building", ">=", 0.5)
    assert weights["SH-14"] == ("school_assessment", "group_building", ">=", 0.2)
    assert weights["OH-14.a"] == ("group_assessment", "transition_years", "<=", 3)


@pytest.mark.parametrize(
    ("clause_id", "parts"),
    [
        ("HK-13", ["HK-13.a", "HK-13.b"]),
        ("SH-01", ["SH-01.a", "SH-01.b"]),
        ("SH-18", ["SH-18.a", "SH-18.b"]),
        ("OH-10", ["OH-10.a", "OH-10.b"]),
        ("QP-02", ["QP-02.a", "QP-02.b"]),
        ("QP-07", ["QP-07.a", "QP-07.b"]),
    ],
)
def test_a_clause_with_several_measurable_parts_has_one_check_per_part(
    clause_id: str, parts: list[str]
) -> None:
    clause = next(p.clause(clause_id) for p in packs_by_id().values() if clause_id in p.clause_ids)
    assert isinstance(clause, RuleClause)
    assert [c.id for c in clause.checks] == parts
    assert {c.clause_id for c in clause.checks} == {clause_id}


def test_a_rule_written_inline_is_read_as_one_check_named_after_its_clause() -> None:
    clause = packs_by_id()["hongkou-2025"].clause("HK-16")
    assert isinstance(clause, RuleClause)
    assert [c.id for c in clause.checks] == ["HK-16"]


THRESHOLDS = [
    ("HK-05", ">=", 2),
    ("HK-06", ">=", 0.20),
    ("HK-07", ">=", 0.30),
    ("HK-08", ">=", 3),
    ("HK-09", ">=", 3),
    ("HK-12", ">=", 1),
    ("HK-13.a", ">=", 5),
    ("HK-14", ">=", 0.5),
    ("HK-16", ">=", 5),
    ("HK-18", "<", 0.15),
    ("HK-19", ">", 0),
    ("HK-20", ">=", 0.99),
    ("HK-21", ">=", 1.0),
    ("HK-23", ">=", 0.90),
    ("SH-01.a", ">=", 0.20),
    ("SH-01.b", ">=", 1),
    ("SH-04", "==", 1),
    ("SH-05", ">=", 1),
    ("SH-06", "in_range", (0.10, 0.20)),
    ("SH-07", ">=", 0.05),
    ("SH-08", ">=", 0.20),
    ("SH-12", ">=", 1),
    ("SH-15", "==", 1),
    ("SH-18.a", ">=", 1),
    ("SH-18.b", ">=", 1),
    ("OH-03", ">=", 2),
    ("OH-04", ">=", 15),
    ("OH-05", ">=", 10),
    ("OH-06", ">=", 2),
    ("OH-08", "in_range", (1, 2)),
    ("OH-09", ">=", 3),
    ("OH-10.a", ">=", 1.0),
    ("OH-10.b", ">=", 5),
    ("OH-12", "<=", 2),
    ("OH-15", "==", 1),
    ("QP-02.a", ">=", 1),
    ("QP-02.b", ">=", 2),
    ("QP-03", ">=", 1),
    ("QP-05", ">=", 3),
    ("QP-07.a", "in_range", (10, 15)),
    ("QP-07.b", ">=", 2),
    ("QP-08", ">=", 1),
    ("QP-11", ">=", 1),
]


def check_by_id(check_id: str) -> RuleCheck:
    return next(c for p in packs_by_id().values() for c in p.rule_checks() if c.id == check_id)


@pytest.mark.parametrize(("check_id", "comparator", "threshold"), THRESHOLDS)
def test_thresholds_are_those_of_policy_clauses_md(
    check_id: str, comparator: str, threshold: float | tuple[float, float]
) -> None:
    check = check_by_id(check_id)
    assert (check.comparator, check.threshold) == (comparator, threshold)


def test_thresholds_read_from_other_metrics_name_the_metric_and_whose_value() -> None:
    assert check_by_id("HK-13.b").threshold == MetricRef(
        metric="courses.shared_count", entity="self", period="previous"
    )
    hk17 = check_by_id("HK-17")
    assert hk17.threshold == MetricRef(metric="monitoring.pass_rate", entity="region")
    assert hk17.threshold_params == {"counted": "tested"}
    assert check_by_id("HK-22").threshold == MetricRef(
        metric="admissions.quality_senior_entry_rate", entity="city"
    )
    oh11 = check_by_id("OH-11")
    assert (oh11.comparator, oh11.threshold) == (
        "<=",
        MetricRef(metric="teachers.count", entity="self", factor=0.15),
    )
    assert oh11.threshold_params == {}


def test_scopes_and_params_say_which_entities_and_records_a_rule_reads() -> None:
    assert check_by_id("HK-16").params == {"kinds": ["joint_research"]}
    assert check_by_id("HK-20").params == {"counted": "enrolled", "stage": "junior"}
    assert check_by_id("HK-18").by == ("stage", "subject")
    assert check_by_id("OH-03").scope == Scope(entity=("group",), group_mode=("co-build",))
    assert check_by_id("OH-04").params == {
        "kinds": ["public_lesson", "research_lesson", "demonstration_lesson"]
    }
    assert check_by_id("SH-06").scope.stage_mix == "same_stage"
    assert check_by_id("SH-07").scope.stage_mix == "cross_stage"
    assert check_by_id("SH-18.b").period.unit == "round"
    assert check_by_id("SH-18.b").period.length == 3
    assert check_by_id("SH-18.b").params == {"kinds": ["showcase"], "level": "city"}
    assert check_by_id("HK-06").scope.school_tier == "quality"
    assert check_by_id("QP-07.b").params == {"kinds": ["classroom_observation"], "with_report": True}
    assert check_by_id("QP-05").scope.programme == "qingpu-qiangxiao-2"


def test_every_scope_filter_is_a_field_of_scope_and_documents_its_entities() -> None:
    assert set(FILTER_ENTITIES) == set(Scope.model_fields) - {"entity"}


# --- refusals -----------------------------------------------------------------------------------------------

GOOD = """\
pack: hongkou-2025
title: 虹口区推进学区化集团化办学高质量发展的实施意见
issuer: 上海市虹口区教育局
source: 000_db29301f71055b5d.txt
edition: 2025-03-10
region: {level: region, name: 虹口区, city: 上海市}
programmes:
  - {id: demo-programme, name: 示例项目, first_year: 2025, length: 3}
clauses:
  - id: HK-16
    kind: rule
    title: 集团每学期联合教研不少于5次
    source: {quote: 每学期集团内各种形式联合教研不少于5次}
    metric: activities.count
    params: {kinds: [joint_research]}
    scope: {entity: group}
    period: semester
    comparator: ">="
    threshold: 5
  - id: HK-13
    kind: rule
    title: 可共享课程不少于5门且逐年增加
    source: {quote: 可共享课程应不低于5门且逐年增加}
    checks:
      - id: HK-13.a
        metric: courses.shared_count
        scope: {entity: group}
        period: school_year
        comparator: ">="
        threshold: 5
  - id: HK-02
    kind: flow
    title: 集团定期双向选择
    source: {quote: 建立集团定期双向选择机制}
    feature: {id: two_way_selection, domain: matching, description: 双向选择}
"""


def test_the_sample_pack_used_by_the_refusal_tests_loads() -> None:
    pack = load_pack_text(GOOD, source_name="hongkou-2025.yaml")
    assert pack.clause_ids == ["HK-16", "HK-13", "HK-02"]


def refusal(old: str, new: str) -> PackError:
    assert old in GOOD, old
    with pytest.raises(InvalidInput) as caught:
        load_pack_text(GOOD.replace(old, new, 1), source_name="hongkou-2025.yaml")
    assert isinstance(caught.value, PackError)
    return caught.value


REFUSALS = [
    pytest.param("    threshold: 5\n", "", "HK-16", "threshold", "规则缺少阈值", id="rule-without-threshold"),
    pytest.param(
        "threshold: 5\n", "threshold:\n", "HK-16", "threshold", "规则缺少阈值", id="empty-threshold"
    ),
    pytest.param("activities.count", "activities.tally", "HK-16", "metric", "未知指标", id="unknown-metric"),
    pytest.param(
        "{entity: group}\n    period: semester",
        "{entity: galaxy}\n    period: semester",
        "HK-16",
        "scope.entity",
        "未知的范围实体",
        id="unknown-scope-entity",
    ),
    pytest.param(
        "{entity: group}\n    period: semester",
        "{entity: group, colour: red}\n    period: semester",
        "HK-16",
        "scope.colour",
        "未知的范围筛选条件",
        id="unknown-scope-filter",
    ),
    pytest.param(
        "{entity: group}\n    period: semester",
        "{entity: group, school_tier: quality}\n    period: semester",
        "HK-16",
        "scope.school_tier",
        "不适用于实体 group",
        id="scope-filter-not-for-this-entity",
    ),
    pytest.param(
        "{entity: group}\n    period: semester",
        "{entity: teacher}\n    period: semester",
        "HK-16",
        "scope.entity",
        "不适用于实体 teacher",
        id="metric-not-for-this-entity",
    ),
    pytest.param(
        "{entity: group}\n    period: semester",
        "{entity: group, programme: nowhere}\n    period: semester",
        "HK-16",
        "scope.programme",
        "未在 programmes 中声明",
        id="undeclared-programme",
    ),
    pytest.param("id: HK-02", "id: HK-16", "HK-16", "id", "条款编号 HK-16 重复", id="duplicate-clause-id"),
    pytest.param(
        "{kinds: [joint_research]}",
        "{kinds: [joint_research], colour: red}",
        "HK-16",
        "params.colour",
        "没有参数 'colour'",
        id="unknown-param",
    ),
    pytest.param(
        "{kinds: [joint_research]}",
        "{kinds: [tea_party]}",
        "HK-16",
        "params.kinds",
        "'tea_party'",
        id="bad-kind",
    ),
    pytest.param("{kinds: [joint_research]}", "{}", "HK-16", "params.kinds", "需要参数", id="missing-param"),
    pytest.param(
        '">="\n    threshold: 5',
        "in_range\n    threshold: 5",
        "HK-16",
        "threshold",
        "in_range",
        id="in-range-one-number",
    ),
    pytest.param(
        '">="\n    threshold: 5',
        "in_range\n    threshold: [5, 6, 7]",
        "HK-16",
        "threshold",
        "两个数字",
        id="in-range-three-numbers",
    ),
    pytest.param(
        '">="\n    threshold: 5',
        "in_range\n    threshold: [6, 5]",
        "HK-16",
        "threshold",
        "下限",
        id="in-range-reversed",
    ),
    pytest.param(
        "threshold: 5\n",
        "threshold: [5, 6]\n",
        "HK-16",
        "threshold",
        "in_range",
        id="range-with-plain-comparator",
    ),
    pytest.param(
        "threshold: 5\n",
        "threshold: {metric: monitoring.pass_mark, entity: region}\n",
        "HK-16",
        "threshold.metric",
        "未知指标",
        id="unknown-threshold-metric",
    ),
    pytest.param(
        "period: semester", "period: decade", "HK-16", "period.unit", "'decade'", id="unknown-period"
    ),
    pytest.param(
        'comparator: ">="', 'comparator: "=>"', "HK-16", "comparator", "'=>'", id="unknown-comparator"
    ),
    pytest.param(
        "        threshold: 5\n", "", "HK-13.a", "threshold", "规则缺少阈值", id="check-without-threshold"
    ),
    pytest.param("id: HK-13.a", "id: HK-14.a", "HK-13", "checks", "HK-13.a", id="check-id-of-another-clause"),
    pytest.param("kind: flow", "kind: flop", "HK-02", "kind", "未知的条款类型", id="unknown-kind"),
    pytest.param(
        "    feature: {id: two_way_selection, domain: matching, description: 双向选择}\n",
        "",
        "HK-02",
        "feature",
        "流程缺少实现功能",
        id="flow-without-feature",
    ),
    pytest.param(
        "    title: 集团每学期联合教研不少于5次\n",
        "    title: 集团每学期联合教研不少于5次\n    colour: red\n",
        "HK-16",
        "colour",
        "未知字段",
        id="unknown-clause-field",
    ),
    pytest.param(
        "edition: 2025-03-10", "edition: 2025-02-30", None, "edition", "日期无效", id="bad-edition-date"
    ),
    pytest.param(
        "edition: 2025-03-10",
        "edition: 2025-03-10\neffective_to: 10 March",
        None,
        "effective_to",
        "日期无效",
        id="bad-end-date",
    ),
    pytest.param(
        "edition: 2025-03-10",
        "edition: 2025-03-10\neffective_to: 2025-01-01",
        None,
        "effective_to",
        "早于",
        id="end-before-start",
    ),
]


@pytest.mark.parametrize(("old", "new", "clause", "field", "message"), REFUSALS)
def test_a_bad_pack_is_refused_with_an_error_naming_file_clause_and_field(
    old: str, new: str, clause: str | None, field: str, message: str
) -> None:
    error = refusal(old, new)
    assert error.file == "hongkou-2025.yaml"
    assert error.clause == clause
    assert error.field == field
    assert message in error.message
    location = ": ".join(p for p in ("hongkou-2025.yaml", clause, field) if p)
    assert error.message.startswith(f"{location}: ")
    assert error.status_code == 422


def test_the_error_for_a_missing_threshold_reads_as_the_issue_asks() -> None:
    assert refusal("    threshold: 5\n", "").message == "hongkou-2025.yaml: HK-16: threshold: 规则缺少阈值"


def test_every_problem_of_a_pack_is_listed_and_the_first_is_the_message() -> None:
    text = GOOD.replace("        threshold: 5\n", "", 1).replace("kind: flow", "kind: flop", 1)
    with pytest.raises(PackError) as caught:
        load_pack_text(text, source_name="x.yaml")
    assert caught.value.problems == [
        "x.yaml: HK-13.a: threshold: 规则缺少阈值",
        "x.yaml: HK-02: kind: 未知的条款类型 'flop', 应为 rule / flow / record / weight",
    ]
    assert caught.value.message == "x.yaml: HK-13.a: threshold: 规则缺少阈值 (另有 1 处错误)"


def test_a_repeated_yaml_key_is_refused_with_its_line() -> None:
    error = refusal("    period: semester\n", "    period: semester\n    period: school_year\n")
    assert error.row == GOOD.splitlines().index("    period: semester") + 2  # the repeated line
    assert "重复的键 'period'" in error.message


def test_yaml_that_does_not_parse_is_refused_with_its_line() -> None:
    error = refusal("title: 虹口区", "title: [虹口区")  # the unclosed bracket is noticed on the next line
    assert error.row == 3
    assert error.message.startswith("hongkou-2025.yaml: 第3行: YAML 格式错误")


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(PackError, match="应为一个映射"):
        load_pack_text("- just\n- a list\n", source_name="list.yaml")


def test_a_pack_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GOOD.encode("gbk"))
    with pytest.raises(PackError, match=r"^gbk\.yaml: 文件不是有效的 UTF-8"):
        load_pack(path)


def test_the_error_turns_into_json_naming_file_clause_and_field() -> None:
    body = refusal("activities.count", "activities.tally").to_dict()
    assert body["file"] == "hongkou-2025.yaml"
    assert body["clause"] == "HK-16"
    assert body["field"] == "metric"


# --- editions -----------------------------------------------------------------------------------------------


def edited_copy(*, edition: str, threshold: int, pack_id: str = "hongkou-2025") -> str:
    """A region's copy of the shipped Hongkou pack: new edition date, HK-16 threshold changed."""
    text = (PACK_DIR / "hongkou-2025.yaml").read_text(encoding="utf-8")
    text = text.replace("pack: hongkou-2025\n", f"pack: {pack_id}\n", 1)
    text = text.replace(
        "edition: 2025-03-10\n",
        f"edition: {edition}\nbased_on: {{pack: hongkou-2025, edition: 2025-03-10}}\n",
        1,
    )
    hk16 = text.index("  - id: HK-16")
    end = text.index("threshold: 5\n", hk16)
    return text[:end] + f"threshold: {threshold}\n" + text[end + len("threshold: 5\n") :]


def hk16_threshold(pack: Pack) -> object:
    clause = pack.clause("HK-16")
    assert isinstance(clause, RuleClause)
    return clause.checks[0].threshold


def test_a_copied_pack_with_an_edited_threshold_loads_without_code_changes() -> None:
    copy = load_pack_text(
        edited_copy(edition="2026-09-01", threshold=6), source_name="hongkou-2025-2026.yaml"
    )
    assert copy.id == "hongkou-2025"
    assert copy.edition == date(2026, 9, 1)
    assert hk16_threshold(copy) == 6
    assert copy.clause_ids == packs_by_id()["hongkou-2025"].clause_ids


def test_the_edition_in_force_at_the_start_of_the_period_is_used() -> None:
    library = PackLibrary(builtin_packs())
    library.add(load_pack_text(edited_copy(edition="2026-09-01", threshold=6), source_name="copy.yaml"))
    assert [e.edition for e in library.editions("hongkou-2025")] == [date(2025, 3, 10), date(2026, 9, 1)]
    assert hk16_threshold(library.edition_for("hongkou-2025", SchoolYear(2025))) == 5
    assert hk16_threshold(library.edition_for("hongkou-2025", Semester(2025, 2))) == 5
    assert hk16_threshold(library.edition_for("hongkou-2025", SchoolYear(2026))) == 6
    assert hk16_threshold(library.edition_for("hongkou-2025", date(2026, 8, 31))) == 5
    assert hk16_threshold(library.edition_for("hongkou-2025", date(2030, 1, 1))) == 6


def test_a_period_that_starts_before_the_first_edition_has_no_pack() -> None:
    library = PackLibrary(builtin_packs())
    with pytest.raises(NotFound, match="尚无生效版本"):
        library.edition_for("hongkou-2025", SchoolYear(2024))


def test_an_edition_past_its_last_day_is_not_used() -> None:
    text = edited_copy(edition="2026-09-01", threshold=6).replace(
        "edition: 2026-09-01\n", "edition: 2026-09-01\neffective_to: 2027-08-31\n", 1
    )
    library = PackLibrary([load_pack_text(text, source_name="copy.yaml")])
    assert library.edition_for("hongkou-2025", SchoolYear(2026)).effective_to == date(2027, 8, 31)
    with pytest.raises(NotFound, match="失效"):
        library.edition_for("hongkou-2025", SchoolYear(2027))


def test_a_copy_under_a_new_id_is_a_pack_of_its_own() -> None:
    custom = load_pack_text(
        edited_copy(edition="2026-09-01", threshold=8, pack_id="hongkou-2025-custom"),
        source_name="custom.yaml",
    )
    library = PackLibrary([*builtin_packs(), custom])
    assert "hongkou-2025-custom" in library.pack_ids()
    assert custom.based_on is not None
    assert custom.based_on.pack == "hongkou-2025"
    assert hk16_threshold(library.edition_for("hongkou-2025-custom", SchoolYear(2026))) == 8
    assert hk16_threshold(library.edition_for("hongkou-2025", SchoolYear(2026))) == 5


def test_a_second_edition_with_the_same_date_is_refused() -> None:
    library = PackLibrary(builtin_packs())
    with pytest.raises(Conflict):
        library.add(packs_by_id()["ouhai-2022"])


def test_an_unknown_pack_is_not_found() -> None:
    with pytest.raises(NotFound):
        PackLibrary(builtin_packs()).edition_for("nowhere-2030", date(2030, 1, 1))


def test_the_library_holds_every_shipped_pack() -> None:
    library = PackLibrary.with_builtin_packs()
    assert library.pack_ids() == sorted(PACK_IDS)
    assert len(library) == 5
    assert {p.id for p in library} == set(PACK_IDS)
