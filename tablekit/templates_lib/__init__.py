"""Template bundles: a ready-made base (tables, fields, views, documents, rules and sample
rows) as a directory of readable YAML, so a shop owner starts from a working order-to-cash
app instead of an empty base, and any base can be shared as a bundle.

``bundle`` reads and writes the format (directory, JSON, zip); ``validate`` refuses a broken
bundle with the path of the offending entry; ``install`` builds a new base from a bundle
through the ordinary services; ``export`` turns a base back into a bundle; ``gallery``
finds the bundled templates; ``service`` is the facade the API and the CLI call.
The format is documented in ``docs/templates.md``.
"""

from tablekit.templates_lib.bundle import FORMAT_VERSION, Bundle
from tablekit.templates_lib.service import TemplateService

__all__ = ["FORMAT_VERSION", "Bundle", "TemplateService"]
