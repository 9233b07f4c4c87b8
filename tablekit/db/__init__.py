"""Database access: engine and session factory (SQLite and PostgreSQL), metadata models,
and the Alembic migrations that create them."""
