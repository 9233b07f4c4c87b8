"""The ``tablekit`` command: serve, worker, migrate, create-user, create-token, backup,
restore, templates."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

from tablekit.db.engine import Database
from tablekit.db.migrate import upgrade
from tablekit.db.models import User
from tablekit.errors import TableKitError
from tablekit.services.actor import Actor
from tablekit.services.container import build_services
from tablekit.settings import Settings
from tablekit.templates_lib import commands as template_commands

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
    """On first start, create the admin account (and, with ``demo``, a base from each bundled
    template in its workspace); returns (e-mail, password) when created."""
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
            workspace_id = int(services.workspaces.mine(actor)[0]["id"])
            template_commands.install_bundled(services, actor, workspace_id)
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


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    """Run the automation worker (and scheduler) in the foreground until SIGTERM/SIGINT."""
    import signal

    from tablekit.automations.worker import Worker

    services = build_services(settings, _database(settings))
    worker = Worker(
        services,
        scheduler=not args.no_scheduler,
        poll_seconds=args.poll,
        lease_seconds=args.lease,
    )
    signal.signal(signal.SIGTERM, lambda *_: worker.request_stop())
    signal.signal(signal.SIGINT, lambda *_: worker.request_stop())
    print(f"TableKit worker running (pid {os.getpid()})", flush=True)
    try:
        if args.once:
            worker.drain(timeout=3600)
        else:
            worker.run_forever()
    finally:
        worker.stop()
        services.close()
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


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    """Write a backup archive (database, files, manifest); safe while the server runs."""
    from tablekit.backup import backup

    manifest = backup(settings, Path(args.path))
    rows = sum(t["rows"] for t in manifest["tables"].values())
    print(
        f"backup written to {args.path}: {len(manifest['tables'])} tables, {rows} rows, "
        f"{manifest['files']['count']} files"
    )
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    """Restore a backup into the configured database and data dir, and verify it."""
    from tablekit.backup import restore

    report = restore(settings, Path(args.path), force=args.force)
    print(
        f"restored and verified {args.path} (taken {report['created_at']}): "
        f"{report['tables']} tables, {report['rows']} rows, {report['files']} files"
    )
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
        help="on first start, create the admin account without the template bases",
    )
    serve.set_defaults(func=cmd_serve)
    worker = sub.add_parser(
        "worker", help="run automations (events, runs, schedules, mails, webhooks) alone"
    )
    worker.add_argument("--no-scheduler", action="store_true", help="do not run schedules")
    worker.add_argument("--once", action="store_true", help="work until idle, then exit")
    worker.add_argument("--poll", type=float, default=0.25, help="idle poll interval (s)")
    worker.add_argument(
        "--lease",
        type=float,
        default=60.0,
        help="seconds a claimed job (run step, mail, webhook) is reserved before another "
        "worker may take it over after a crash",
    )
    worker.set_defaults(func=cmd_worker)
    backup = sub.add_parser("backup", help="write a backup archive (works while serving)")
    backup.add_argument("path", help="archive to write, e.g. tablekit-backup.tar.gz")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="restore a backup archive (server stopped)")
    restore.add_argument("path", help="archive written by `tablekit backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    restore.set_defaults(func=cmd_restore)
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
    template_commands.add_parser(sub)
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
