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

from edugroup.core.errors import EduGroupError, Unauthorized
from edugroup.core.pages import error_page
from edugroup.core.settings import Settings, get_settings
from edugroup.web.composition import ROUTERS, register_domains

STATIC = Path(__file__).resolve().parent / "static"


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
    register_domains()
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
        return error_page(request, exc)

    @app.exception_handler(RequestValidationError)
    def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        body = _validation_body(exc)
        if _wants_json(request):
            return JSONResponse(body, status_code=422)
        return error_page(request, EduGroupError(str(body["message"])), status_code=422)

    for router in ROUTERS:
        app.include_router(router)
    return app
