"""The bundle format: one in-memory shape, three carriers (directory, JSON, zip).

A bundle directory holds ``manifest.yaml``, ``tables.yaml``, optionally ``rules.yaml``,
``documents.yaml`` with ``documents/*.html.j2`` and their CSS, ``data/*.yaml`` or
``data/*.csv`` sample rows and a picture. In memory (and as JSON) it is one dict::

    {"manifest": {...}, "tables": [...], "rules": [...],
     "documents": [{"name", "table", "template", "css"}], "data": {"Table": [rows]}}

Reading never interprets content: ``validate`` checks it, ``install`` applies it. Files are
read as UTF-8 YAML with the safe loader (no Python tags), so a bundle cannot run code.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from tablekit.templates_lib.errors import invalid

FORMAT_VERSION = 1
MAX_FILE_BYTES = 20 * 1024 * 1024
PICTURE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def slug(text: str) -> str:
    """A file-name and template-name friendly form of ``text``: ``Order lines`` →
    ``order_lines``."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return cleaned[:60] or "item"


def load_yaml(text: str, where: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise invalid(where, f"not valid YAML: {exc}") from None


def dump_yaml(data: Any) -> str:
    text: str = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )
    return text


@dataclass
class Bundle:
    """A template bundle, field references by name. ``picture`` holds the picture file's
    bytes (the manifest's ``picture`` names it)."""

    manifest: dict[str, Any]
    tables: list[dict[str, Any]]
    rules: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    picture: bytes | None = None

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", ""))

    def to_json(self) -> dict[str, Any]:
        """The bundle as one JSON document (the export API's answer)."""
        return {
            "manifest": self.manifest,
            "tables": self.tables,
            "rules": self.rules,
            "documents": self.documents,
            "data": self.data,
        }

    @classmethod
    def from_json(cls, doc: Any) -> Bundle:
        """A bundle from its JSON form; shapes are checked here, contents by ``validate``."""
        if not isinstance(doc, dict):
            raise invalid("", "a bundle is an object with manifest, tables, rules, documents, data")
        unknown = set(doc) - {"manifest", "tables", "rules", "documents", "data"}
        if unknown:
            raise invalid(sorted(unknown)[0], "unknown bundle section")
        parts: dict[str, Any] = {
            "manifest": doc.get("manifest"),
            "tables": doc.get("tables"),
            "rules": doc.get("rules") or [],
            "documents": doc.get("documents") or [],
            "data": doc.get("data") or {},
        }
        for key, value in parts.items():
            kind = dict if key in ("manifest", "data") else list
            if not isinstance(value, kind):
                raise invalid(key, f"must be {'an object' if kind is dict else 'a list'}")
        return cls(**parts)

    # --- directory -----------------------------------------------------------------------
    @classmethod
    def load_dir(cls, root: Path) -> Bundle:
        """Read a bundle directory. Raises ValidationFailed(INVALID_BUNDLE) naming the file."""
        manifest = _section(root, "manifest.yaml", None, dict)
        tables = _section(root, "tables.yaml", "tables", list)
        rules = _section(root, "rules.yaml", "rules", list, required=False) or []
        documents = []
        index = _section(root, "documents.yaml", "documents", list, required=False) or []
        for i, item in enumerate(index):
            where = f"documents.yaml: documents[{i}]"
            if not isinstance(item, dict):
                raise invalid(where, "must be {name, table, template, css?}")
            doc = dict(item)
            for key in ("template", "css"):
                if key in doc:
                    if not isinstance(doc[key], str) or "/" in doc[key] or ".." in doc[key]:
                        raise invalid(f"{where}.{key}", "must be a file name in documents/")
                    doc[key] = _read(root / "documents" / doc[key], f"documents/{doc[key]}")
            documents.append(doc)
        data: dict[str, list[dict[str, Any]]] = {}
        data_dir = root / "data"
        if data_dir.is_dir():
            for path in sorted(data_dir.iterdir()):
                for table, rows in _data_file(path):
                    data.setdefault(table, []).extend(rows)
        picture = None
        if isinstance(manifest.get("picture"), str):
            pic = root / Path(manifest["picture"]).name
            if pic.is_file():
                picture = pic.read_bytes()
        return cls(manifest, tables, rules, documents, data, picture)

    def files(self) -> dict[str, bytes]:
        """The bundle as directory files (relative path → bytes), in a stable order."""
        out: dict[str, bytes] = {"manifest.yaml": dump_yaml(self.manifest).encode()}
        out["tables.yaml"] = dump_yaml({"tables": self.tables}).encode()
        if self.rules:
            out["rules.yaml"] = dump_yaml({"rules": self.rules}).encode()
        if self.documents:
            index = []
            for doc in self.documents:
                entry = {k: v for k, v in doc.items() if k not in ("template", "css")}
                base = slug(str(doc.get("name", "document")))
                entry["template"] = f"{base}.html.j2"
                out[f"documents/{base}.html.j2"] = str(doc.get("template", "")).encode()
                if doc.get("css"):
                    entry["css"] = f"{base}.css"
                    out[f"documents/{base}.css"] = str(doc["css"]).encode()
                index.append(entry)
            out["documents.yaml"] = dump_yaml({"documents": index}).encode()
        for n, (table, rows) in enumerate(self.data.items(), start=1):
            out[f"data/{n:02d}_{slug(table)}.yaml"] = dump_yaml(
                {"table": table, "rows": rows}
            ).encode()
        if self.picture is not None and isinstance(self.manifest.get("picture"), str):
            out[Path(self.manifest["picture"]).name] = self.picture
        return out

    def write_dir(self, root: Path) -> None:
        for rel, content in self.files().items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)

    def to_zip(self) -> bytes:
        """The directory form in a zip, under a folder named after the bundle."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for rel, content in self.files().items():
                archive.writestr(f"{self.name or 'bundle'}/{rel}", content)
        return buffer.getvalue()


def _read(path: Path, where: str) -> str:
    if not path.is_file():
        raise invalid(where, "file not found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise invalid(where, f"file larger than {MAX_FILE_BYTES} bytes")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise invalid(where, "not UTF-8 text") from None


def _section(root: Path, name: str, key: str | None, kind: type, *, required: bool = True) -> Any:
    path = root / name
    if not path.is_file():
        if required:
            raise invalid(name, "file not found")
        return None
    doc = load_yaml(_read(path, name), name)
    if key is not None:
        if not isinstance(doc, dict) or key not in doc:
            raise invalid(name, f"must have a top-level {key!r} entry")
        doc = doc[key]
    if not isinstance(doc, kind):
        raise invalid(f"{name}: {key}" if key else name, f"must be a {kind.__name__}")
    return doc


def _data_file(path: Path) -> list[tuple[str, list[dict[str, Any]]]]:
    """Rows of one data file: YAML ``{table, rows}`` or a CSV named after its table."""
    where = f"data/{path.name}"
    if path.suffix in (".yaml", ".yml"):
        doc = load_yaml(_read(path, where), where)
        if not isinstance(doc, dict) or not isinstance(doc.get("table"), str):
            raise invalid(where, "must be {table: name, rows: [...]}")
        rows = doc.get("rows") or []
        if not isinstance(rows, list):
            raise invalid(f"{where}: rows", "must be a list")
        return [(doc["table"], rows)]
    if path.suffix == ".csv":
        reader = csv.DictReader(io.StringIO(_read(path, where)))
        rows = [{k: v for k, v in row.items() if v not in (None, "")} for row in reader]
        return [(path.stem, rows)]
    return []
