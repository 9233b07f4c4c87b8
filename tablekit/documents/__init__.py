"""Document rendering: Jinja2 templates to text/HTML, and HTML to PDF.

Templates are written by base editors and filled with row data, so both halves treat their
input as hostile. :mod:`.templating` renders in an immutable Jinja2 sandbox with size,
step and time budgets (:mod:`.limits`) and a curated filter set (:mod:`.filters`);
:mod:`.pdf` runs WeasyPrint with a fetcher that denies every URL except ``data:`` and
attachments the caller authorises, in a separate process with a timeout and memory limit.
This is the only package allowed to import ``jinja2.Environment`` classes and ``weasyprint``.
"""
