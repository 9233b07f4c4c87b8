"""The bundled templates: where they live and what the gallery shows.

Bundles live in the repository's top-level ``templates/`` (a checkout or an editable
install finds them next to the package) or, for a wheel, in
``<prefix>/share/tablekit/templates`` where ``pyproject.toml`` installs them as data files.
Each subdirectory with a ``manifest.yaml`` is one template; its directory name is its name.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

from tablekit.errors import NotFound, ValidationFailed
from tablekit.templates_lib.bundle import PICTURE_TYPES, Bundle, load_yaml
from tablekit.templates_lib.validate import NAME_RE


def bundled_roots() -> list[Path]:
    """Directories that may hold bundled templates, most specific first."""
    candidates = [
        Path(__file__).resolve().parents[2] / "templates",
        Path(sys.prefix) / "share" / "tablekit" / "templates",
    ]
    return [path for path in candidates if path.is_dir()]


def unknown_template(name: str) -> ValidationFailed:
    return ValidationFailed(
        f"Unknown template {name!r}; see GET /api/v1/templates",
        code="UNKNOWN_TEMPLATE",
        details={"template": name},
    )


class Gallery:
    """Bundled templates by name; parsed bundles are cached (they never change at run time)."""

    def __init__(self, roots: list[Path] | None = None) -> None:
        self.roots = roots if roots is not None else bundled_roots()
        self._cache: dict[str, Bundle] = {}
        self._lock = threading.Lock()

    def directory(self, name: str) -> Path | None:
        if not NAME_RE.fullmatch(name):
            return None
        for root in self.roots:
            if (root / name / "manifest.yaml").is_file():
                return root / name
        return None

    def names(self) -> list[str]:
        found: list[str] = []
        for root in self.roots:
            for path in sorted(root.iterdir()):
                if (path / "manifest.yaml").is_file() and path.name not in found:
                    found.append(path.name)
        return found

    def items(self) -> list[dict[str, Any]]:
        """What the gallery shows: ``{name, title, description, picture, version}``;
        ``picture`` is the URL of the picture (or None)."""
        items = []
        for name in self.names():
            directory = self.directory(name)
            assert directory is not None
            manifest = load_yaml((directory / "manifest.yaml").read_text("utf-8"), name)
            if not isinstance(manifest, dict):
                continue
            items.append(
                {
                    "name": name,
                    "title": str(manifest.get("title", name)),
                    "description": str(manifest.get("description", "")),
                    "picture": (
                        f"/api/v1/templates/{name}/picture" if manifest.get("picture") else None
                    ),
                    "version": str(manifest.get("version", "")),
                }
            )
        return items

    def load(self, name: str) -> Bundle:
        """The bundle named ``name``; ValidationFailed(UNKNOWN_TEMPLATE) when there is none."""
        with self._lock:
            if name not in self._cache:
                directory = self.directory(name)
                if directory is None:
                    raise unknown_template(name)
                self._cache[name] = Bundle.load_dir(directory)
            return self._cache[name]

    def picture(self, name: str) -> tuple[Path, str]:
        """The picture file of a template and its media type; NotFound when it has none."""
        directory = self.directory(name)
        if directory is not None:
            manifest = load_yaml((directory / "manifest.yaml").read_text("utf-8"), name)
            picture = manifest.get("picture") if isinstance(manifest, dict) else None
            if isinstance(picture, str):
                path = directory / Path(picture).name
                media = PICTURE_TYPES.get(path.suffix.lower())
                if path.is_file() and media:
                    return path, media
        raise NotFound(f"Template {name!r} has no picture", code="PICTURE_NOT_FOUND")
