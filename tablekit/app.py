"""create_app(): the one place that wires settings, services, routes, errors and OpenAPI."""

from typing import Any

from litestar import Litestar, Router, get
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from tablekit.api import auth, automations, files, rows, schema, sharing, workspaces
from tablekit.api import documents as documents_api
from tablekit.api import interchange as interchange_api
from tablekit.api import templates as templates_api
from tablekit.api.errors import EXCEPTION_HANDLERS
from tablekit.api.limits import IdempotencyMiddleware, RateLimitMiddleware
from tablekit.api.security import FailureLimiter, provide_services, resolve_actor
from tablekit.automations import worker as automation_worker
from tablekit.interchange.runtime import build_interchange
from tablekit.live import live_updates
from tablekit.live import start_in_app as start_live
from tablekit.live import stop_in_app as stop_live
from tablekit.services.container import Services, build_services
from tablekit.settings import Settings
from tablekit.web import spa

DOCS_ASSETS = "/api/docs-assets"


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def create_app(settings: Settings | None = None, *, services: Services | None = None) -> Litestar:
    """Build the ASGI app. Pass ``services`` to share a database with a test or the CLI."""
    settings = settings or (services.settings if services else Settings.from_env())
    services = services or build_services(settings)
    api = Router(
        path="/api/v1",
        route_handlers=[
            *auth.ROUTES,
            *workspaces.ROUTES,
            *schema.ROUTES,
            *rows.ROUTES,
            *files.ROUTES,
            *sharing.ROUTES,
            *automations.ROUTES,
            *documents_api.ROUTES,
            *templates_api.ROUTES,
            interchange_api.router(settings),
            live_updates,
        ],
        dependencies={
            "actor": Provide(resolve_actor, sync_to_thread=True),
            "services": Provide(provide_services, sync_to_thread=False),
        },
    )
    openapi = OpenAPIConfig(
        title="TableKit API",
        version="1",
        description="Tables, rows, views, automations and documents. See docs/api.md.",
        path="/api",
        # Swagger UI's assets are served from the installed package, not a CDN, so the
        # docs work offline and on air-gapped self-hosted machines.
        render_plugins=[
            SwaggerRenderPlugin(
                path="/docs",
                js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
            )
        ],
        components=Components(
            security_schemes={
                "token": SecurityScheme(
                    type="http", scheme="bearer", description="API token from /api/v1/tokens"
                ),
            }
        ),
        security=[{"token": []}],
        use_handler_docstrings=True,
    )

    def on_shutdown(app: Litestar) -> None:
        automation_worker.stop_in_app(app)
        app.state.interchange.stop()
        app.state.services.close()

    app = Litestar(
        route_handlers=[
            healthz,
            api,
            *automations.PUBLIC_ROUTES,
            create_static_files_router(
                path=DOCS_ASSETS, directories=[swagger_ui_path], include_in_schema=False
            ),
            spa,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        request_max_body_size=settings.max_upload_mb * 1024 * 1024 + 1024 * 1024,
        on_startup=[
            automation_worker.start_in_app,
            lambda app: app.state.interchange.start(),
            start_live,
        ],
        middleware=[
            DefineMiddleware(RateLimitMiddleware, settings=settings),
            IdempotencyMiddleware,
        ],
        on_shutdown=[stop_live, on_shutdown],
        debug=False,
    )
    app.state.services = services
    app.state.interchange = build_interchange(services)
    app.state.login_limiter = FailureLimiter(settings.login_attempts_per_minute)
    app.state.form_limiter = FailureLimiter(
        settings.form_submissions_per_minute,
        message="Too many submissions from here; wait a minute and try again",
    )
    app.state.choices_limiter = FailureLimiter(
        settings.form_lookups_per_minute,
        message="Too many searches from here; wait a minute and try again",
    )
    return app


def app_factory() -> Any:
    """Entry point for ``uvicorn --factory tablekit.app:app_factory``."""
    return create_app()
