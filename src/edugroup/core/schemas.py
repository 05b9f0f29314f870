"""Shapes of users, tokens and audit entries on the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from edugroup.core.models import Role


class TokenRequest(BaseModel):
    username: str
    password: str
    name: str = "cli"


class TokenRead(BaseModel):
    token: str
    token_type: str = "bearer"


class MeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int | None
    username: str
    role: Role
    region_id: int | None
    group_ids: list[int]
    school_ids: list[int]
    teacher_id: int | None


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    user_id: int | None
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
