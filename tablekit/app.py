"""create_app(): the one place that wires settings, services, routes, errors and OpenAPI."""

from typing import Any

from litestar import Litestar, Router, get
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from tablekit.api import auth, files, rows, schema, sharing, workspaces
from tablekit.api.errors import EXCEPTION_HANDLERS
from tablekit.api.security import FailureLimiter, provide_services, resolve_actor
from tablekit.services.container import Services, build_services
from tablekit.settings import Settings
from tablekit.web import spa


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
        render_plugins=[SwaggerRenderPlugin(path="/docs")],
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
        app.state.services.close()

    app = Litestar(
        route_handlers=[healthz, api, spa],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        request_max_body_size=settings.max_upload_mb * 1024 * 1024 + 1024 * 1024,
        on_shutdown=[on_shutdown],
        debug=False,
    )
    app.state.services = services
    app.state.login_limiter = FailureLimiter(settings.login_attempts_per_minute)
    app.state.form_limiter = FailureLimiter(
        settings.form_submissions_per_minute,
        message="Too many submissions from here; wait a minute and try again",
    )
    return app


def app_factory() -> Any:
    """Entry point for ``uvicorn --factory tablekit.app:app_factory``."""
    return create_app()
