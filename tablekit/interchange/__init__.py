"""Data safety and interchange: CSV/XLSX import and export, background jobs, backups,
the schema trash (fields, tables, views) and request idempotency.

Everything here builds on the row and schema services' building blocks (``Op``,
``rowwrite``, ``fieldops``, ``physical``) instead of talking to user tables on its own, so
imported rows obey the same validation, numbering and link rules as rows from the API.
"""
