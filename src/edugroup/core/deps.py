"""Request dependencies shared by every domain's routes: the unit of work, the caller's scope, and the school
year filter of record lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from edugroup.core.auth import bind_actor, user_for_token
from edugroup.core.db import new_session
from edugroup.core.errors import Forbidden, Unauthorized
from edugroup.core.models import User
from edugroup.core.scope import Scope, scope_for
from edugroup.core.security import same_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db() -> Iterator[Session]:
    """One session and one transaction per request: committed when the route succeeds."""
    session = new_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Db = Annotated[Session, Depends(get_db)]


def session_user(request: Request, session: Session) -> User | None:
    """The user logged in through the session cookie, if any."""
    user_id = request.session.get("uid") if "session" in request.scope else None
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def api_scope(request: Request, session: Db) -> Scope:
    """Caller of an API route: a Bearer token, or the web session (with the CSRF header for writes)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = user_for_token(session, header[7:].strip())
    else:
        found = session_user(request, session)
        if found is None:
            raise Unauthorized("需要登录或 API 令牌 (Authorization: Bearer …)")
        if request.method not in SAFE_METHODS and not same_token(
            request.headers.get("x-csrf-token"), request.session.get("csrf")
        ):
            raise Forbidden("缺少或错误的 CSRF 令牌 (X-CSRF-Token)")
        user = found
    scope = scope_for(session, user)
    bind_actor(session, scope)
    return scope


ApiScope = Annotated[Scope, Depends(api_scope)]


Year = Annotated[int | None, Query(ge=1990, le=2100, description="school year, e.g. 2025 = 2025-09..2026-08")]
