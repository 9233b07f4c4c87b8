"""Imports every module that declares metadata models, so Alembic and ``create_all`` see
them all. A package with its own models adds one import line here."""

from tablekit.db.models import Model

__all__ = ["Model"]
