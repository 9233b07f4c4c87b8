"""The stored document template: Jinja2 HTML plus CSS, bound to one table of a base.

A template belongs to the table whose rows fill it; deleting the table or the base deletes
its templates (foreign keys with ON DELETE CASCADE, so both databases clean up alike).
Names are unique per base so that bundles and rules can refer to a document by name.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tablekit.db.models import IdType, Model, utcnow
from tablekit.storage.types import UTCDateTime


class DocumentTemplate(Model):
    __tablename__ = "tk_documents"
    # The unique key's index (base_id first) also serves "the documents of a base".
    __table_args__ = (UniqueConstraint("base_id", "name"),)
    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    base_id: Mapped[int] = mapped_column(ForeignKey("tk_bases.id", ondelete="CASCADE"))
    table_id: Mapped[int] = mapped_column(
        ForeignKey("tk_tables.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(Text)
    css: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(IdType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
