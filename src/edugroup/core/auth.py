"""Users: creation, password login and API tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugroup.core.db import utcnow
from edugroup.core.errors import Conflict, InvalidInput, Unauthorized
from edugroup.core.models import ApiToken, Role, User
from edugroup.core.scope import Scope
from edugroup.core.security import hash_password, new_token, token_digest, verify_password

MIN_PASSWORD_LENGTH = 8


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    region_id: int | None = None,
    group_id: int | None = None,
    school_id: int | None = None,
    teacher_id: int | None = None,
) -> User:
    """Creates a user with a role and the one object its scope hangs on."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD_LENGTH} 位", field="password")
    needed = {
        Role.bureau_admin: ("region_id", region_id),
        Role.group_head: ("group_id", group_id),
        Role.school_admin: ("school_id", school_id),
        Role.teacher: ("teacher_id", teacher_id),
    }[role]
    if needed[1] is None:
        raise InvalidInput(f"角色 {role.value} 需要 {needed[0]}", field=needed[0])
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"用户名 {username} 已存在", field="username")
    user = User(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        region_id=region_id,
        group_id=group_id,
        school_id=school_id,
        teacher_id=teacher_id,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with this username and password; Unauthorized otherwise."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        raise Unauthorized("用户名或密码错误")
    return user


def issue_token(session: Session, user: User, *, name: str, days: int | None = 365) -> str:
    """A new API token for `user`; only its digest is stored, so this is the one time it is seen."""
    token = new_token()
    expires = utcnow() + timedelta(days=days) if days else None
    session.add(ApiToken(user_id=user.id, name=name, token_hash=token_digest(token), expires_at=expires))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User:
    """The user an API token belongs to; Unauthorized when unknown or expired."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or (row.expires_at is not None and row.expires_at < utcnow()) or not row.user.is_active:
        raise Unauthorized("API 令牌无效或已过期")
    return row.user


def bind_actor(session: Session, scope: Scope) -> None:
    """Name the actor of this unit of work in the audit log."""
    session.info["actor"] = scope.username
    session.info["actor_id"] = scope.user_id
    session.info["region_id"] = scope.region_id
