"""The shell's pages: log-in and log-out, the language switch, the audit log, and the error page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from edugroup.core import audit
from edugroup.core.auth import authenticate
from edugroup.core.deps import Db
from edugroup.core.errors import Unauthorized
from edugroup.core.i18n import LANGUAGES
from edugroup.core.pages import PageScope, check_csrf, error_page, render
from edugroup.core.security import new_csrf_token

__all__ = ["error_page", "router"]

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    if not target:
        return "/"
    parsed = urlparse(target)
    return target if not parsed.netloc and not parsed.scheme and target.startswith("/") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next), failed=False)


@router.post("/login", response_class=HTMLResponse, response_model=None)
def login(
    request: Request,
    session: Db,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        user = authenticate(session, username, password)
    except Unauthorized:
        return render(request, "login.html", status_code=401, next=_safe_next(next), failed=True)
    request.session.clear()
    request.session["uid"] = user.id
    request.session["csrf"] = new_csrf_token()
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()]) -> RedirectResponse:
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> RedirectResponse:
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie("lang", code if code in LANGUAGES else "zh", max_age=365 * 86400, samesite="lax")
    return response


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, session: Db, scope: PageScope, entity_type: str | None = None, actor: str | None = None
) -> HTMLResponse:
    entries = audit.list_entries(
        session, scope, entity_type=entity_type or None, actor=actor or None, limit=300
    )
    return render(
        request,
        "audit.html",
        scope=scope,
        entries=entries,
        entity_type=entity_type,
        actor=actor,
        action_labels=audit.ACTION_LABELS,
    )
