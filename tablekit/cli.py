"""The ``tablekit`` command: serve, migrate, create-user, create-token."""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence

from sqlalchemy import func, select

from tablekit.db.engine import Database
from tablekit.db.migrate import upgrade
from tablekit.db.models import User
from tablekit.demo import seed_demo
from tablekit.errors import TableKitError
from tablekit.services.actor import Actor
from tablekit.services.container import build_services
from tablekit.settings import Settings

ADMIN_EMAIL = "admin@tablekit.local"


def _database(settings: Settings) -> Database:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database(settings.effective_database_url)


def cmd_migrate(settings: Settings, _: argparse.Namespace) -> int:
    db = _database(settings)
    upgrade(db)
    db.dispose()
    print("database is up to date")
    return 0


def ensure_admin(settings: Settings, *, demo: bool = True) -> tuple[str, str] | None:
    """On first start, create the admin account (and demo data); returns (e-mail, password)
    when created."""
    services = build_services(settings, _database(settings))
    try:
        with services.db.read() as session:
            if (session.scalar(select(func.count()).select_from(User)) or 0) > 0:
                return None
        password = secrets.token_urlsafe(12)
        user = services.users.create_user(
            ADMIN_EMAIL, password, name="Admin", is_admin=True, workspace_name="My workspace"
        )
        if demo:
            actor = Actor(user_id=int(str(user["id"])), email=ADMIN_EMAIL, is_admin=True)
            seed_demo(services, actor, services.workspaces.mine(actor)[0]["id"])
        path = settings.data_dir / "initial-admin.txt"
        path.write_text(f"e-mail: {ADMIN_EMAIL}\npassword: {password}\n")
        path.chmod(0o600)
        return ADMIN_EMAIL, password
    finally:
        services.close()


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    cmd_migrate(settings, args)
    created = ensure_admin(settings, demo=not args.no_demo)
    host, port = args.host or settings.host, args.port or settings.port
    print(f"TableKit is running at http://{host}:{port}")
    if created:
        print(f"Admin login (first start): {created[0]} / {created[1]}")
        print(f"(also saved in {settings.data_dir / 'initial-admin.txt'})")
    else:
        print(f"Admin login: see {settings.data_dir / 'initial-admin.txt'}")
    sys.stdout.flush()
    uvicorn.run(
        "tablekit.app:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level="info",
        proxy_headers=False,
    )
    return 0


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    db = _database(settings)
    upgrade(db)
    services = build_services(settings, db)
    try:
        user = services.users.create_user(
            args.email,
            args.password,
            name=args.name or "",
            is_admin=args.admin,
            workspace_name=args.workspace,
        )
    finally:
        services.close()
    print(f"created user {user['email']} (id {user['id']})")
    return 0


def cmd_create_token(settings: Settings, args: argparse.Namespace) -> int:
    db = _database(settings)
    services = build_services(settings, db)
    try:
        with db.read() as session:
            user = session.scalar(select(User).where(User.email == args.email.strip().lower()))
        if user is None:
            print(f"error: no user {args.email}", file=sys.stderr)
            return 2
        actor = Actor(user_id=user.id, email=user.email, name=user.name)
        created = services.tokens.create(
            actor,
            name=args.name,
            scopes=[s.strip() for s in args.scopes.split(",") if s.strip()],
            workspace_id=args.workspace,
            base_id=args.base,
        )
    finally:
        services.close()
    print(created["token"])
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tablekit",
        description="TableKit: tables, automations and documents for order-to-cash.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate and serve the web app and API")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--no-demo",
        action="store_true",
        help="on first start, create the admin account without demo data",
    )
    serve.set_defaults(func=cmd_serve)
    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=cmd_migrate)
    user = sub.add_parser("create-user", help="create a user account")
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    user.add_argument("--name", default="")
    user.add_argument("--admin", action="store_true")
    user.add_argument(
        "--workspace",
        default="My workspace",
        help="name of the personal workspace created for the user",
    )
    user.set_defaults(func=cmd_create_user)
    token = sub.add_parser("create-token", help="create an API token and print it")
    token.add_argument("--email", required=True)
    scope = token.add_mutually_exclusive_group(required=True)
    scope.add_argument("--workspace", type=int)
    scope.add_argument("--base", type=int)
    token.add_argument("--scopes", default="read")
    token.add_argument("--name", default="CLI token")
    token.set_defaults(func=cmd_create_token)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        code: int = args.func(settings, args)
    except TableKitError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
