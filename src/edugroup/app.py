"""The FastAPI application: API under /api/v1, OpenAPI at /docs, Chinese-first web pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from swagger_ui_bundle import swagger_ui_path

from edugroup.activities import pages as activity_pages
from edugroup.activities import routes as activity_routes
from edugroup.admissions import pages as admissions_pages
from edugroup.admissions import routes as admissions_routes
from edugroup.certificates import routes as certificate_routes
from edugroup.core import routes as core_routes
from edugroup.core.errors import EduGroupError, Unauthorized
from edugroup.core.settings import Settings, get_settings
from edugroup.development import pages as development_pages
from edugroup.development import routes as development_routes
from edugroup.experts import routes as expert_routes
from edugroup.mentoring import routes as mentoring_routes
from edugroup.monitoring import pages as monitoring_pages
from edugroup.monitoring import routes as monitoring_routes
from edugroup.org import routes as org_routes
from edugroup.policy import pages as policy_pages
from edugroup.policy import routes as policy_routes
from edugroup.rotation import pages as rotation_pages
from edugroup.rotation import routes as rotation_routes
from edugroup.studios import pages as studio_pages
from edugroup.studios import routes as studio_routes
from edugroup.surveys import pages as survey_pages
from edugroup.surveys import routes as survey_routes
from edugroup.teachers import pages as teacher_pages
from edugroup.teachers import routes as teacher_routes
from edugroup.training import routes as training_routes
from edugroup.web import routes as web_routes

STATIC = Path(__file__).resolve().parent / "web" / "static"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _validation_body(exc: RequestValidationError) -> dict[str, object]:
    errors = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path")]
        errors.append(
            {"field": ".".join(loc) or None, "message": str(err.get("msg", "")).removeprefix("Value error, ")}
        )
    first = errors[0] if errors else {"field": None, "message": "请求无效"}
    return {
        "message": f"{first['field']}: {first['message']}" if first["field"] else first["message"],
        "field": first["field"],
        "errors": errors,
    }


def create_app(settings: Settings | None = None) -> FastAPI:
    """Builds the application."""
    settings = settings or get_settings()
    app = FastAPI(
        title="EduGroup 学区集团化办学管理与评估平台",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="edugroup_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.environment == "production",
    )
    app.mount("/static/swagger", StaticFiles(directory=str(swagger_ui_path)), name="swagger")
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="EduGroup API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )

    @app.exception_handler(EduGroupError)
    def on_error(request: Request, exc: EduGroupError) -> Response:
        if _wants_json(request):
            return JSONResponse(exc.to_dict(), status_code=exc.status_code)
        if isinstance(exc, Unauthorized):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return web_routes.error_page(request, exc)

    @app.exception_handler(RequestValidationError)
    def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        body = _validation_body(exc)
        if _wants_json(request):
            return JSONResponse(body, status_code=422)
        return web_routes.error_page(request, EduGroupError(str(body["message"])), status_code=422)

    app.include_router(core_routes.router)
    app.include_router(org_routes.router)
    app.include_router(activity_routes.router)
    app.include_router(activity_pages.router)
    app.include_router(policy_routes.router)
    app.include_router(policy_pages.router)
    app.include_router(teacher_routes.router)
    app.include_router(teacher_pages.router)
    app.include_router(rotation_routes.router)
    app.include_router(rotation_pages.router)
    app.include_router(training_routes.router)
    app.include_router(certificate_routes.router)
    app.include_router(mentoring_routes.router)
    app.include_router(expert_routes.router)
    app.include_router(studio_routes.router)
    app.include_router(development_routes.router)
    app.include_router(studio_pages.router)  # before the development pages: /development/studios is no kind
    app.include_router(development_pages.router)
    app.include_router(monitoring_routes.router)
    app.include_router(monitoring_pages.router)
    app.include_router(survey_routes.router)
    app.include_router(survey_pages.router)
    app.include_router(admissions_routes.router)
    app.include_router(admissions_pages.router)
    app.include_router(web_routes.router)
    return app
