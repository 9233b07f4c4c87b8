"""Templates: the gallery, a template's picture, installing an uploaded bundle, and
exporting a base as a bundle (JSON, or a zip of the bundle directory)."""

from typing import Any, Literal

import msgspec
from litestar import Response, get, post
from litestar.response import File

from tablekit.services.actor import Actor
from tablekit.services.container import Services
from tablekit.templates_lib.bundle import Bundle


class BundleInstall(msgspec.Struct, forbid_unknown_fields=True):
    """A bundle (as ``export-template`` answers it) and the new base's name."""

    bundle: dict[str, Any]
    name: str | None = None


@get("/templates", operation_id="listTemplates", sync_to_thread=True)
def list_templates(actor: Actor, services: Services) -> dict[str, Any]:
    """The template gallery: ``{items: [{name, title, description, picture, version}]}``;
    ``picture`` is a URL. Install one with ``POST /workspaces/{ws}/bases {name, template}``."""
    return {"items": services.templates.list()}


@get(
    "/templates/{name:str}/picture",
    operation_id="getTemplatePicture",
    sync_to_thread=True,
    security=[],
)
def template_picture(services: Services, name: str) -> File:
    """A template's picture, a static file (public: it is part of the product, not data)."""
    path, media_type = services.templates.picture(name)
    return File(
        path=path,
        media_type=media_type,
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@post("/workspaces/{ws:int}/bases/from-bundle", operation_id="installBundle", sync_to_thread=True)
def install_bundle(
    actor: Actor, services: Services, ws: int, data: BundleInstall
) -> dict[str, Any]:
    """Create a base from an uploaded bundle (for example one exported from another
    installation). A broken bundle answers 422 INVALID_BUNDLE naming the offending entry."""
    services.workspaces.require(actor, ws, "schema")  # before looking at the upload
    bundle = Bundle.from_json(data.bundle)
    return services.templates.install(actor, ws, bundle, data.name)


@get("/bases/{base:int}/export-template", operation_id="exportTemplate", sync_to_thread=True)
def export_template(
    actor: Actor, services: Services, base: int, format: Literal["json", "zip"] = "json"
) -> Response[Any]:
    """The base as a template bundle: tables, fields, views, documents, rules and rows by
    name. ``?format=zip`` answers the bundle directory as a zip file."""
    bundle = services.templates.export(actor, base)
    if format == "zip":
        return Response(
            content=bundle.to_zip(),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{bundle.name or "bundle"}.zip"'
            },
        )
    return Response(content=bundle.to_json(), media_type="application/json")


ROUTES = [list_templates, template_picture, install_bundle, export_template]
