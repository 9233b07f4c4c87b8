"""Imports every module that declares metadata models, so Alembic and ``create_all`` see
them all. A package with its own models adds one import line here."""

from tablekit.automations import models as automation_models  # noqa: F401
from tablekit.db.models import Model
from tablekit.documents import models as document_models  # noqa: F401
from tablekit.interchange import models as interchange_models  # noqa: F401

__all__ = ["Model"]
