"""The audit log: every create, update and delete through a session is recorded with who and when.

A session names its actor in `session.info` ("actor", "actor_id", "region_id"); the request, the CLI
command or the job sets it. Bulk loads that bypass the ORM record one summary entry with `record()`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from edugroup.core.db import Base, utcnow
from edugroup.core.models import ApiToken, AuditEntry

_SKIPPED = {AuditEntry, ApiToken}
_MASKED = {"password_hash", "token_hash"}


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def snapshot(obj: Base) -> dict[str, Any]:
    """Column values of a mapped object, JSON-ready, secrets masked."""
    mapper = inspect(obj).mapper
    return {
        attr.key: ("***" if attr.key in _MASKED else _json_value(getattr(obj, attr.key)))
        for attr in mapper.column_attrs
    }


def _changes(obj: Base) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        masked = attr.key in _MASKED
        before[attr.key] = "***" if masked else _json_value(old)
        after[attr.key] = "***" if masked else _json_value(new)
    before.pop("updated_at", None)
    after.pop("updated_at", None)
    return before, after


def _entity_id(obj: Base) -> str:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return "/".join(str(v) for v in key)


def _entry(session: Session, obj: Base, action: str, before: Any, after: Any) -> dict[str, Any]:
    region_id = getattr(obj, "region_id", None) or session.info.get("region_id")
    return {
        "at": utcnow(),
        "user_id": session.info.get("actor_id"),
        "actor": session.info.get("actor", "system"),
        "action": action,
        "entity_type": obj.__tablename__,
        "entity_id": _entity_id(obj),
        "region_id": region_id,
        "before": before,
        "after": after,
        "note": session.info.get("audit_note"),
    }


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _flush: UOWTransaction) -> None:
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if type(obj) not in _SKIPPED and isinstance(obj, Base):
            rows.append(_entry(session, obj, "create", None, snapshot(obj)))
    for obj in session.dirty:
        if type(obj) in _SKIPPED or not isinstance(obj, Base) or not session.is_modified(obj):
            continue
        before, after = _changes(obj)
        if after:
            rows.append(_entry(session, obj, "update", before, after))
    for obj in session.deleted:
        if type(obj) not in _SKIPPED and isinstance(obj, Base):
            rows.append(_entry(session, obj, "delete", snapshot(obj), None))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: str,
    note: str,
    after: Any = None,
    region_id: int | None = None,
) -> None:
    """One summary entry for a change made outside the ORM (a bulk import)."""
    session.execute(
        insert(AuditEntry),
        [
            {
                "at": utcnow(),
                "user_id": session.info.get("actor_id"),
                "actor": session.info.get("actor", "system"),
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "region_id": region_id or session.info.get("region_id"),
                "before": None,
                "after": after,
                "note": note,
            }
        ],
    )


AUDIT_HEADERS = ["时间", "操作人", "操作", "对象类型", "对象编号", "修改前", "修改后", "说明"]
ACTION_LABELS = {"create": "新增", "update": "修改", "delete": "删除", "import": "导入"}


def list_entries(
    session: Session,
    scope: Any,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit entries of the bureau administrator's region, newest first."""
    from sqlalchemy import select

    scope.require_bureau("查看审计日志")
    stmt = select(AuditEntry).where(AuditEntry.region_id == scope.region_id)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def entry_row(entry: AuditEntry) -> list[Any]:
    """One entry as an export row."""
    import json

    def dump(value: Any) -> str | None:
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else None

    return [
        entry.at.isoformat(timespec="seconds"),
        entry.actor,
        ACTION_LABELS.get(entry.action, entry.action),
        entry.entity_type,
        entry.entity_id,
        dump(entry.before),
        dump(entry.after),
        entry.note,
    ]
