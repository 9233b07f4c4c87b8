"""``tablekit templates list|install`` and the first-start install of the bundled templates.

Kept here rather than in ``tablekit.cli`` so the command module only wires arguments; the
functions take the settings and the parsed arguments like every other command.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tablekit.db.engine import Database
from tablekit.db.migrate import upgrade
from tablekit.db.models import User
from tablekit.errors import NotFound, ValidationFailed
from tablekit.services.actor import Actor
from tablekit.settings import Settings

if TYPE_CHECKING:
    from tablekit.services.container import Services


def install_bundled(services: Services, actor: Actor, workspace_id: int) -> list[dict[str, Any]]:
    """Install every bundled template into ``workspace_id`` (what a first start shows)."""
    return [
        services.templates.install(actor, workspace_id, item["name"])
        for item in services.templates.list()
    ]


def add_parser(sub: Any) -> None:
    """Add ``templates list`` and ``templates install`` to the ``tablekit`` command."""
    templates = sub.add_parser("templates", help="list or install template bundles")
    commands = templates.add_subparsers(dest="templates_command", required=True)
    listing = commands.add_parser("list", help="the bundled templates")
    listing.set_defaults(func=cmd_list)
    install = commands.add_parser("install", help="create a base from a bundled template")
    install.add_argument("name", help="a template name from `tablekit templates list`")
    install.add_argument("--workspace", type=int, help="workspace id (default: the user's first)")
    install.add_argument("--email", help="the user who owns the base (default: the first admin)")
    install.add_argument("--base-name", help="name of the new base (default: the template title)")
    install.set_defaults(func=cmd_install)


def _services(settings: Settings) -> Services:
    from tablekit.services.container import build_services

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.effective_database_url)
    upgrade(db)
    return build_services(settings, db)


def cmd_list(settings: Settings, _: argparse.Namespace) -> int:
    from tablekit.templates_lib.gallery import Gallery

    for item in Gallery().items():
        print(f"{item['name']:<20} {item['title']} ({item['version']})")
        print(f"{'':<20} {item['description']}")
    return 0


def cmd_install(settings: Settings, args: argparse.Namespace) -> int:
    services = _services(settings)
    try:
        with services.db.read() as session:
            query = select(User).order_by(User.id)
            if args.email:
                query = query.where(User.email == args.email.strip().lower())
            else:
                query = query.where(User.is_admin.is_(True))
            user = session.scalar(query.limit(1))
            if user is None:
                raise NotFound(
                    f"no user {args.email}" if args.email else "no admin user; pass --email",
                    code="USER_NOT_FOUND",
                )
            actor = Actor(user_id=user.id, email=user.email, name=user.name)
        workspace = args.workspace
        if workspace is None:
            mine = services.workspaces.mine(actor)
            if not mine:
                raise ValidationFailed(f"{actor.email} has no workspace", code="NO_WORKSPACE")
            workspace = int(mine[0]["id"])
        base = services.templates.install(actor, workspace, args.name, args.base_name)
    finally:
        services.close()
    print(f"created base {base['name']!r} (id {base['id']}) in workspace {workspace}")
    for item in base["skipped"]:
        print(f"  left out {item['path']}: {item['reason']}")
    return 0
