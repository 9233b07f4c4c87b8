"""All services of one app instance, built once by ``create_app()`` (or the CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tablekit.automations.inbound import InboundService
from tablekit.automations.inbox import InboxService
from tablekit.automations.service import RuleService
from tablekit.db.engine import Database
from tablekit.documents.service import DocumentService
from tablekit.fields.base import FieldType
from tablekit.fields.builtin import build_field_registry
from tablekit.formulas.recalc import Recalculator
from tablekit.registry import Registry
from tablekit.sandbox import SandboxPool
from tablekit.services.access import Access
from tablekit.services.comments import CommentService
from tablekit.services.files import FileService
from tablekit.services.rows import RowService
from tablekit.services.schema import SchemaService
from tablekit.services.sharing import ShareService
from tablekit.services.tokens import TokenService
from tablekit.services.trash import TrashService
from tablekit.services.users import UserService
from tablekit.services.workspaces import WorkspaceService
from tablekit.settings import Settings
from tablekit.templates_lib.service import TemplateService


@dataclass
class Services:
    settings: Settings
    db: Database
    fields: Registry[FieldType]
    access: Access
    users: UserService
    tokens: TokenService
    workspaces: WorkspaceService
    schema: SchemaService
    rows: RowService
    trash: TrashService
    files: FileService
    sharing: ShareService
    recalc: Recalculator
    comments: CommentService
    pools: list[SandboxPool]
    automations: RuleService
    inbound: InboundService
    inbox: InboxService
    documents: DocumentService
    # Built after the others: installing a template uses every other service.
    templates: TemplateService = field(init=False)

    def close(self) -> None:
        self.automations.close()
        for pool in self.pools:
            pool.close()
        self.db.dispose()


def build_services(settings: Settings, db: Database | None = None) -> Services:
    db = db or Database(settings.effective_database_url)
    registry = build_field_registry()
    access = Access()
    rows = RowService(db, access, registry)
    pools: list[SandboxPool] = []

    def pool() -> SandboxPool:
        # Started on first bulk recalculation only: most processes never need it.
        if not pools:
            pools.append(SandboxPool(processes=2, timeout=10.0))
        return pools[0]

    recalc = Recalculator(registry, pool)
    rows.after_write.append(recalc)
    files = FileService(db, access, settings.files_dir, settings.max_upload_mb * 1024 * 1024)
    documents = DocumentService(db, access, rows, files)
    automations = RuleService(db, access, rows, settings, documents)
    services = Services(
        settings=settings,
        db=db,
        fields=registry,
        access=access,
        users=UserService(db, settings.session_days),
        tokens=TokenService(db, access),
        workspaces=WorkspaceService(db, access),
        schema=SchemaService(db, access, registry, rows, recalc),
        rows=rows,
        trash=TrashService(db, access, registry, rows, recalc),
        files=files,
        sharing=ShareService(db, access, registry, rows, settings.base_url),
        recalc=recalc,
        comments=CommentService(db, access, rows),
        pools=pools,
        automations=automations,
        inbound=InboundService(automations),
        inbox=InboxService(db, access, settings),
        documents=documents,
    )
    services.templates = TemplateService(services)
    return services
