"""Loading policy packs from YAML, and a library of pack editions.

`load_pack` refuses a bad pack with an `InvalidInput` (a `PackError`) whose message names the file, the clause
and the field — `hongkou-2025.yaml: HK-16: threshold: 规则缺少阈值` — so a region editing its copy of a pack
sees where it went wrong. `PackLibrary` keeps several editions of several packs in memory and answers which
edition is in force for a period, so last year's evaluation keeps using last year's thresholds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from edugroup.core.errors import Conflict, InvalidInput, NotFound
from edugroup.policy.schemas import CLAUSE_KINDS, THRESHOLD_TAGS, Pack

_KIND_LABELS = {"rule": "规则", "weight": "权重", "flow": "流程", "record": "记录"}
_FIELD_LABELS = {
    "metric": "指标",
    "scope": "适用范围",
    "entity": "范围实体",
    "period": "周期",
    "unit": "周期单位",
    "comparator": "比较方式",
    "threshold": "阈值",
    "feature": "实现功能",
    "description": "说明",
    "title": "标题",
    "source": "出处",
    "quote": "原文引文",
    "id": "编号",
    "kind": "条款类型",
    "pack": "包编号",
    "edition": "版本生效日期",
    "issuer": "发文单位",
    "clauses": "条款",
    "region": "适用地区",
    "assessment": "考核",
    "name": "名称",
    "level": "级别",
}


class PackError(InvalidInput):
    """A pack file refused; names the file, the clause (when one is at fault) and the field."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        clause: str | None = None,
        field: str | None = None,
        row: int | None = None,
        problems: Sequence[str] = (),
    ) -> None:
        line = f"第{row}行" if row is not None else None
        location = ": ".join(part for part in (file, line, clause, field) if part)
        super().__init__(f"{location}: {message}", field=field, file=file, row=row)
        self.clause = clause
        self.problems = list(problems) or [self.message]

    def to_dict(self) -> dict[str, object]:
        body = super().to_dict()
        if self.clause is not None:
            body["clause"] = self.clause
        if len(self.problems) > 1:
            body["problems"] = self.problems
        return body


# --- YAML ---------------------------------------------------------------------------------------------------


class _PackLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text (so a bad date is reported, not crashed on) and refuses repeated keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, f"重复的键 {key!r}", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


_PackLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(text: str, source_name: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_PackLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        row = mark.line + 1 if mark is not None else None
        raise PackError(f"YAML 格式错误: {exc.problem}", file=source_name, row=row) from exc
    except yaml.YAMLError as exc:
        raise PackError(f"YAML 格式错误: {exc}", file=source_name) from exc
    if not isinstance(data, dict):
        raise PackError("文件内容应为一个映射 (pack, edition, clauses …)", file=source_name)
    return data


# --- validation errors in words -----------------------------------------------------------------------------


def _located(error: ErrorDetails, data: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(clause or check id, dotted field, clause kind) of a pydantic error on the raw pack `data`."""
    loc = list(error["loc"])
    ctx = error.get("ctx") or {}
    clause: str | None = None
    kind: str | None = None
    if len(loc) >= 2 and loc[0] == "clauses" and isinstance(loc[1], int):
        index = loc[1]
        raw_clauses = data.get("clauses")
        raw: Any = raw_clauses[index] if isinstance(raw_clauses, list) and index < len(raw_clauses) else None
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        clause = raw_id if isinstance(raw_id, str) else f"第{index + 1}条"
        loc = loc[2:]
        if loc and loc[0] in CLAUSE_KINDS:
            kind = str(loc[0])
            loc = loc[1:]
        if len(loc) >= 2 and loc[0] == "checks" and isinstance(loc[1], int):
            raw_checks = raw.get("checks") if isinstance(raw, dict) else None
            if isinstance(raw_checks, list) and loc[1] < len(raw_checks):
                check = raw_checks[loc[1]]
                check_id = check.get("id") if isinstance(check, dict) else None
                clause = check_id if isinstance(check_id, str) else f"{clause} 第{loc[1] + 1}项"
            loc = loc[2:]
        if error["type"] in ("union_tag_invalid", "union_tag_not_found") and not loc:
            loc = ["kind"]
    parts: list[str] = []
    for i, item in enumerate(loc):
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif i > 0 and loc[i - 1] == "threshold" and item in THRESHOLD_TAGS:
            continue
        else:
            parts.append(("." if parts else "") + str(item))
    if "field" in ctx:
        parts.append(("." if parts else "") + str(ctx["field"]))
    if "clause" in ctx:
        clause = str(ctx["clause"])
    return clause, "".join(parts) or None, kind


def _message(error: ErrorDetails, field: str | None, kind: str | None) -> str:
    """A Chinese sentence for one pydantic error."""
    kind_error = error["type"]
    ctx = error.get("ctx") or {}
    last = (field or "").rsplit(".", 1)[-1].split("[", 1)[0]
    value = error.get("input")
    if kind_error == "pack_problem":
        return str(ctx["message"])
    if kind_error == "missing" or (kind_error == "threshold_shape" and value is None):
        return f"{_KIND_LABELS.get(kind or '', '')}缺少{_FIELD_LABELS.get(last, last)}"
    if kind_error == "extra_forbidden":
        if (field or "").startswith("scope."):
            return f"未知的范围筛选条件 {last!r}"
        return f"未知字段 {last!r}"
    if kind_error == "literal_error":
        return f"取值 {value!r} 无效, 应为 {ctx.get('expected')}"
    if kind_error == "union_tag_invalid":
        return f"未知的条款类型 {ctx.get('tag')!r}, 应为 {' / '.join(CLAUSE_KINDS)}"
    if kind_error == "union_tag_not_found":
        return f"缺少条款类型 kind ({' / '.join(CLAUSE_KINDS)})"
    if kind_error == "threshold_shape":
        return error["msg"]
    if (field or "").startswith("threshold") and kind_error in ("too_short", "too_long", "tuple_type"):
        return "区间阈值应为两个数字 [下限, 上限]"
    if kind_error in ("float_type", "float_parsing", "int_type", "int_parsing", "int_from_float"):
        return f"应为数字, 而不是 {value!r}"
    if kind_error == "string_pattern_mismatch":
        return f"格式不符: {value!r}"
    if kind_error in ("string_type", "bool_type", "dict_type", "list_type", "tuple_type", "model_type"):
        return f"类型不对: {value!r}"
    if kind_error == "too_short":
        return "不能为空"
    return f"格式错误: {error['msg']}"


def _refusal(exc: ValidationError, data: dict[str, Any], source_name: str) -> PackError:
    errors = exc.errors()
    # A tuple whose items failed also reports itself "too short"; keep the item's own error only.
    errors = [
        e
        for e in errors
        if not (
            e["type"] == "too_short"
            and any(o["loc"][: len(e["loc"])] == e["loc"] != o["loc"] for o in errors)
        )
    ]
    described: list[tuple[str | None, str | None, str]] = []
    for error in errors:
        clause, field, kind = _located(error, data)
        described.append((clause, field, _message(error, field, kind)))
    lines = [": ".join(p for p in (source_name, c, f, m) if p) for c, f, m in described]
    clause, field, message = described[0]
    if len(described) > 1:
        message = f"{message} (另有 {len(described) - 1} 处错误)"
    return PackError(message, file=source_name, clause=clause, field=field, problems=lines)


# --- loading ------------------------------------------------------------------------------------------------


def load_pack_text(text: str, *, source_name: str) -> Pack:
    """Parse and validate a pack from YAML text; `source_name` (the file name) prefixes every error."""
    data = _parse_yaml(text, source_name)
    try:
        return Pack.model_validate(data)
    except ValidationError as exc:
        raise _refusal(exc, data, source_name) from None


def load_pack(path: str | Path) -> Pack:
    """Load and validate one pack file (UTF-8 YAML)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(f"文件不是有效的 UTF-8 文本 (第 {exc.start} 字节)", file=path.name) from exc
    except OSError as exc:
        raise PackError(f"无法读取文件: {exc.strerror}", file=path.name) from exc
    return load_pack_text(text, source_name=path.name)


def builtin_pack_names() -> list[str]:
    """File names of the packs shipped in `edugroup/policy/packs/`, sorted."""
    folder = files("edugroup.policy") / "packs"
    return sorted(item.name for item in folder.iterdir() if item.name.endswith(".yaml"))


def builtin_packs() -> list[Pack]:
    """The packs shipped with the product, one per seed document, in file-name order."""
    folder = files("edugroup.policy") / "packs"
    return [
        load_pack_text((folder / name).read_text(encoding="utf-8"), source_name=name)
        for name in builtin_pack_names()
    ]


# --- library ------------------------------------------------------------------------------------------------


class _Dated(Protocol):
    @property
    def start(self) -> date: ...


class PackLibrary:
    """Editions of packs, in memory: which edition of a pack is in force for a period.

    A region copies a pack, edits it and loads it with a later `edition` date (same pack id: a new edition;
    a new id such as `hongkou-2025-custom`: a pack of its own). Periods that start before the new edition
    keep the old one.
    """

    def __init__(self, packs: Iterable[Pack] = ()) -> None:
        self._editions: dict[str, list[Pack]] = {}
        for pack in packs:
            self.add(pack)

    @classmethod
    def with_builtin_packs(cls) -> PackLibrary:
        """A library holding the shipped packs."""
        return cls(builtin_packs())

    def add(self, pack: Pack) -> None:
        """Add one edition; a second pack with the same id and edition date is refused."""
        editions = self._editions.setdefault(pack.id, [])
        if any(e.edition == pack.edition for e in editions):
            raise Conflict(f"政策包 {pack.id} 已有 {pack.edition} 版本", field="edition")
        editions.append(pack)
        editions.sort(key=lambda e: e.edition)

    def pack_ids(self) -> list[str]:
        """Ids of the packs held, sorted."""
        return sorted(self._editions)

    def editions(self, pack_id: str) -> list[Pack]:
        """Every edition of a pack, oldest first."""
        if pack_id not in self._editions:
            raise NotFound(f"没有政策包 {pack_id}", field="pack")
        return list(self._editions[pack_id])

    def edition_for(self, pack_id: str, on: date | _Dated) -> Pack:
        """The edition in force on `on` (a date, or a period: its start): the latest edition dated <= it."""
        day = on if isinstance(on, date) else on.start
        candidates = [e for e in self.editions(pack_id) if e.edition <= day]
        if not candidates:
            raise NotFound(f"政策包 {pack_id} 在 {day} 尚无生效版本", field="edition")
        chosen = candidates[-1]
        if chosen.effective_to is not None and day > chosen.effective_to:
            raise NotFound(
                f"政策包 {pack_id} 的 {chosen.edition} 版本已于 {chosen.effective_to} 失效", field="edition"
            )
        return chosen

    def __iter__(self) -> Iterator[Pack]:
        for pack_id in self.pack_ids():
            yield from self._editions[pack_id]

    def __len__(self) -> int:
        return sum(len(editions) for editions in self._editions.values())
