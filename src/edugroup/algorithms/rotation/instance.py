"""The rotation planner's input: checked field by field and turned into arrays.

A bad instance raises `InvalidInstance` whose `field` is a JSON path such as ``teachers[3].subject``
(indexes are 0-based, as in the JSON list), never a `KeyError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from edugroup.algorithms.rotation.errors import InvalidInstance

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), used for the great-circle commute."""

Id = str | int
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_MAX_COUNT = 1_000_000
_MAX_KM = 100_000.0
_RULE_NAMES = ("min_out_share", "min_backbone_share", "min_team_size")


@dataclass(frozen=True)
class Rules:
    """The quotas of the pack; None means the rule is not applied."""

    min_out_share: float | None = None
    min_backbone_share: float | None = None
    min_team_size: int | None = None


@dataclass(frozen=True)
class Instance:
    """A checked instance. Schools, teachers and demand rows keep their input order."""

    teacher_ids: list[Id]
    teacher_school: IntArray
    teacher_subject: IntArray
    teacher_backbone: BoolArray
    school_ids: list[Id]
    school_sending: BoolArray
    school_lat: FloatArray
    school_lon: FloatArray
    subjects: list[str]
    receiving: IntArray
    """School index of each receiving school; its position here is the school's receiving number."""
    receiving_position: IntArray
    """Receiving number of each school, -1 for a sending school."""
    demand_receiving: IntArray
    demand_subject: IntArray
    demand_min: IntArray
    demand_max: FloatArray
    """Upper bound of each demand row, inf when it has no cap."""
    rules: Rules
    distance: dict[int, dict[int, float]]
    """Explicit km: teacher index -> receiving number -> km."""

    @property
    def teacher_count(self) -> int:
        """Number of eligible teachers."""
        return len(self.teacher_ids)

    @property
    def receiving_count(self) -> int:
        """Number of receiving schools."""
        return len(self.receiving)


def great_circle_km(
    lat1: FloatArray | float, lon1: FloatArray | float, lat2: FloatArray | float, lon2: FloatArray | float
) -> FloatArray:
    """Great-circle distance in km by the haversine formula; arguments in degrees, broadcast."""
    phi1 = np.radians(lat1)
    phi2 = np.radians(lat2)
    half_dphi = (phi2 - phi1) / 2.0
    half_dlambda = np.radians(np.asarray(lon2) - np.asarray(lon1)) / 2.0
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)


def read_instance(raw: object) -> Instance:
    """Checks a JSON-shaped instance and returns it as arrays."""
    root = _mapping(raw, "instance")
    teachers = _list(_required(root, "teachers", "instance"), "teachers")
    schools = _list(_required(root, "schools", "instance"), "schools")
    demand = _list(_required(root, "demand", "instance"), "demand")

    school_ids: list[Id] = []
    school_index: dict[str, int] = {}
    sending: list[bool] = []
    lats: list[float] = []
    lons: list[float] = []
    for i, item in enumerate(schools):
        where = f"schools[{i}]"
        school = _mapping(item, where)
        school_id = _id(_required(school, "id", where), f"{where}.id")
        if str(school_id) in school_index:
            _fail(f"{where}.id", f"学校编号 {school_id!r} 重复")
        role = _required(school, "role", where)
        if role not in ("sending", "receiving"):
            _fail(f"{where}.role", f'必须是 "sending" 或 "receiving", 而不是 {role!r}')
        school_index[str(school_id)] = i
        school_ids.append(school_id)
        sending.append(role == "sending")
        lats.append(_coordinate(school.get("lat"), f"{where}.lat", 90.0))
        lons.append(_coordinate(school.get("lon"), f"{where}.lon", 180.0))

    subjects: list[str] = []
    subject_index: dict[str, int] = {}

    def subject_of(value: object, where: str) -> int:
        if not isinstance(value, str) or not value.strip():
            _fail(where, "学科必须是非空字符串")
        if value not in subject_index:
            subject_index[value] = len(subjects)
            subjects.append(value)
        return subject_index[value]

    teacher_ids: list[Id] = []
    teacher_index: dict[str, int] = {}
    teacher_school: list[int] = []
    teacher_subject: list[int] = []
    teacher_backbone: list[bool] = []
    for i, item in enumerate(teachers):
        where = f"teachers[{i}]"
        teacher = _mapping(item, where)
        teacher_id = _id(_required(teacher, "id", where), f"{where}.id")
        if str(teacher_id) in teacher_index:
            _fail(f"{where}.id", f"教师编号 {teacher_id!r} 重复")
        teacher_index[str(teacher_id)] = i
        teacher_ids.append(teacher_id)
        teacher_school.append(
            _school_ref(_required(teacher, "school", where), f"{where}.school", school_index)
        )
        teacher_subject.append(subject_of(_required(teacher, "subject", where), f"{where}.subject"))
        backbone = _required(teacher, "backbone", where)
        if not isinstance(backbone, bool):
            _fail(f"{where}.backbone", "必须是 true 或 false")
        teacher_backbone.append(backbone)

    receiving = np.array([i for i, is_sending in enumerate(sending) if not is_sending], dtype=np.int64)
    receiving_position = np.full(len(school_ids), -1, dtype=np.int64)
    receiving_position[receiving] = np.arange(len(receiving), dtype=np.int64)

    demand_receiving: list[int] = []
    demand_subject: list[int] = []
    demand_min: list[int] = []
    demand_max: list[float] = []
    seen_demand: dict[tuple[int, int], int] = {}
    for i, item in enumerate(demand):
        where = f"demand[{i}]"
        row = _mapping(item, where)
        target = _school_ref(_required(row, "school", where), f"{where}.school", school_index)
        if sending[target]:
            _fail(f"{where}.school", f"学校 {school_ids[target]!r} 是派出学校, 只有接收学校可以有需求")
        subject = subject_of(_required(row, "subject", where), f"{where}.subject")
        key = (target, subject)
        if key in seen_demand:
            _fail(where, f"与 demand[{seen_demand[key]}] 重复: 同一学校同一学科只能有一行需求")
        seen_demand[key] = i
        low = _count(_required(row, "min", where), f"{where}.min")
        high_raw = row.get("max")
        high = math.inf if high_raw is None else float(_count(high_raw, f"{where}.max"))
        if high < low:
            _fail(f"{where}.max", f"上限 {int(high)} 小于下限 {low}")
        demand_receiving.append(int(receiving_position[target]))
        demand_subject.append(subject)
        demand_min.append(low)
        demand_max.append(high)

    rules = _rules(root.get("rules"))
    distance = _distance(root.get("distance"), teacher_index, school_index, receiving_position, school_ids)

    return Instance(
        teacher_ids=teacher_ids,
        teacher_school=np.array(teacher_school, dtype=np.int64),
        teacher_subject=np.array(teacher_subject, dtype=np.int64),
        teacher_backbone=np.array(teacher_backbone, dtype=np.bool_),
        school_ids=school_ids,
        school_sending=np.array(sending, dtype=np.bool_),
        school_lat=np.array(lats, dtype=np.float64),
        school_lon=np.array(lons, dtype=np.float64),
        subjects=subjects,
        receiving=receiving,
        receiving_position=receiving_position,
        demand_receiving=np.array(demand_receiving, dtype=np.int64),
        demand_subject=np.array(demand_subject, dtype=np.int64),
        demand_min=np.array(demand_min, dtype=np.int64),
        demand_max=np.array(demand_max, dtype=np.float64),
        rules=rules,
        distance=distance,
    )


def _rules(raw: object) -> Rules:
    if raw is None:
        return Rules()
    rules = _mapping(raw, "rules")
    for key in rules:
        if key not in _RULE_NAMES:
            _fail(f"rules.{key}", f"未知规则; 可用的规则: {', '.join(_RULE_NAMES)}")
    out_share = _share(rules.get("min_out_share"), "rules.min_out_share")
    backbone_share = _share(rules.get("min_backbone_share"), "rules.min_backbone_share")
    team_raw = rules.get("min_team_size")
    team = None if team_raw is None else _count(team_raw, "rules.min_team_size")
    return Rules(min_out_share=out_share, min_backbone_share=backbone_share, min_team_size=team)


def _distance(
    raw: object,
    teacher_index: Mapping[str, int],
    school_index: Mapping[str, int],
    receiving_position: IntArray,
    school_ids: list[Id],
) -> dict[int, dict[int, float]]:
    if raw is None:
        return {}
    table = _mapping(raw, "distance")
    distance: dict[int, dict[int, float]] = {}
    for teacher_key, row_raw in table.items():
        where = f"distance.{teacher_key}"
        if str(teacher_key) not in teacher_index:
            _fail(where, f"没有编号为 {teacher_key!r} 的教师")
        row = _mapping(row_raw, where)
        parsed: dict[int, float] = {}
        for school_key, km in row.items():
            cell = f"{where}.{school_key}"
            if str(school_key) not in school_index:
                _fail(cell, f"没有编号为 {school_key!r} 的学校")
            school = school_index[str(school_key)]
            if receiving_position[school] < 0:
                _fail(cell, f"学校 {school_ids[school]!r} 不是接收学校")
            number = _number(km)
            if number is None or not 0 <= number <= _MAX_KM:
                _fail(cell, f"距离必须是 0 到 {_MAX_KM:g} 之间的公里数")
            parsed[int(receiving_position[school])] = number
        distance[teacher_index[str(teacher_key)]] = parsed
    return distance


def _fail(field: str, message: str) -> NoReturn:
    raise InvalidInstance(f"{field}: {message}", field=field)


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        _fail(where, "必须是 JSON 对象")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        _fail(where, "必须是 JSON 数组")
    return value


def _required(container: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in container or container[key] is None:
        _fail(f"{where}.{key}" if where != "instance" else key, "缺少此字段")
    return container[key]


def _number(value: object) -> float | None:
    """The value as a finite float, or None when it is not a JSON number (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _id(value: object, where: str) -> Id:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    _fail(where, "编号必须是非空字符串或整数")


def _school_ref(value: object, where: str, school_index: Mapping[str, int]) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) not in school_index:
        _fail(where, f"没有编号为 {value!r} 的学校")
    return school_index[str(value)]


def _count(value: object, where: str) -> int:
    number = _number(value)
    if number is None or number < 0 or not number.is_integer() or number > _MAX_COUNT:
        _fail(where, f"必须是不超过 {_MAX_COUNT} 的非负整数")
    return int(number)


def _share(value: object, where: str) -> float | None:
    if value is None:
        return None
    number = _number(value)
    if number is None or not 0.0 <= number <= 1.0:
        _fail(where, "必须是 0 到 1 之间的数")
    return number


def _coordinate(value: object, where: str, limit: float) -> float:
    if value is None:
        return math.nan
    number = _number(value)
    if number is None or not -limit <= number <= limit:
        _fail(where, f"必须是 -{limit:g} 到 {limit:g} 之间的度数")
    return number
