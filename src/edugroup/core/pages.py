"""Helpers every server-rendered page uses: the templates, the language, the CSRF token and the page scope."""

from __future__ import annotations

from typing import Annotated, Any

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from edugroup.core.auth import bind_actor
from edugroup.core.deps import Db, session_user
from edugroup.core.errors import EduGroupError, Forbidden, Unauthorized
from edugroup.core.i18n import LANGUAGES, translate
from edugroup.core.models import ROLE_LABELS
from edugroup.core.scope import Scope, scope_for
from edugroup.core.security import new_csrf_token, same_token

TEMPLATES = Jinja2Templates(env=jinja2.Environment(autoescape=True))
"""The page templates; the composition root gives them their folder and the labels every page uses."""


def language_of(request: Request) -> str:
    """The page language from the `lang` cookie; Chinese unless it names a known language."""
    lang = request.cookies.get("lang", "zh")
    return lang if lang in LANGUAGES else "zh"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = new_csrf_token()
        request.session["csrf"] = token
    return str(token)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the helpers every template uses."""
    lang = language_of(request)
    context.update(
        request=request,
        lang=lang,
        _=lambda text: translate(text, lang),
        csrf=csrf_token(request),
        role_labels=ROLE_LABELS,
    )
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def error_page(request: Request, exc: EduGroupError, status_code: int | None = None) -> HTMLResponse:
    """The error page for a refusal, with the error's own status unless one is given."""
    return render(request, "error.html", status_code=status_code or exc.status_code, error=exc)


def page_scope(request: Request, session: Db) -> Scope:
    """The logged-in user's scope; not logged in sends the browser to /login."""
    user = session_user(request, session)
    if user is None:
        raise Unauthorized("请先登录")
    scope = scope_for(session, user)
    bind_actor(session, scope)
    return scope


PageScope = Annotated[Scope, Depends(page_scope)]


def check_csrf(request: Request, token: str) -> None:
    """Refuse a form whose CSRF token is not the session's."""
    if not same_token(token, request.session.get("csrf")):
        raise Forbidden("表单已过期, 请刷新页面后重试 (CSRF)")
