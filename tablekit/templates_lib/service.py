"""``TemplateService``: the gallery, installing a template or an uploaded bundle into a new
base, and exporting a base as a bundle. Controllers and the CLI call only this."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tablekit.services.actor import Actor
from tablekit.templates_lib.bundle import Bundle
from tablekit.templates_lib.export import Exporter
from tablekit.templates_lib.gallery import Gallery
from tablekit.templates_lib.install import Installer
from tablekit.templates_lib.validate import validate_bundle

if TYPE_CHECKING:
    from tablekit.services.container import Services


class TemplateService:
    def __init__(self, services: Services, gallery: Gallery | None = None) -> None:
        self.services = services
        self.gallery = gallery or Gallery()

    def list(self) -> list[dict[str, Any]]:
        """The bundled templates, for the gallery."""
        return self.gallery.items()

    def picture(self, name: str) -> tuple[Path, str]:
        return self.gallery.picture(name)

    def bundle(self, name: str) -> Bundle:
        """A bundled template by name (UNKNOWN_TEMPLATE when there is none)."""
        return self.gallery.load(name)

    def validate(self, bundle: Bundle) -> None:
        """Refuse a broken bundle: ValidationFailed(INVALID_BUNDLE) with every problem's path."""
        rules = self.services.automations
        validate_bundle(
            bundle,
            self.services.fields,
            triggers=rules.triggers.keys(),
            actions=rules.actions.keys(),
        )

    def install(
        self, actor: Actor, workspace_id: int, template: str | Bundle, name: str | None = None
    ) -> dict[str, Any]:
        """A new base in ``workspace_id`` built from a bundled template (by name) or a bundle;
        named ``name`` or the template's title."""
        bundle = self.bundle(template) if isinstance(template, str) else template
        self.validate(bundle)
        title = name or str(bundle.manifest.get("title") or bundle.name)
        return Installer(self.services, actor, bundle).install(workspace_id, title)

    def export(self, actor: Actor, base_id: int) -> Bundle:
        """The base as a bundle (schema rights on the base needed: it includes rules)."""
        return Exporter(self.services, actor).export(base_id)
