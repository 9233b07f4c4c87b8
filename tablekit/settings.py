"""Settings read once from ``TABLEKIT_*`` environment variables.

Every field is documented here and in the README's settings table; a test checks that the
two agree, so a new setting cannot go undocumented.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Runtime configuration. Build with :meth:`from_env`; tests build it directly."""

    data_dir: Path = field(
        default=Path("./tablekit-data"),
        metadata={"env": "TABLEKIT_DATA_DIR", "doc": "Where the SQLite database and files live."},
    )
    database_url: str = field(
        default="",
        metadata={
            "env": "TABLEKIT_DATABASE_URL",
            "doc": "SQLAlchemy URL; empty means SQLite at DATA_DIR/tablekit.db. "
            "Use postgresql+psycopg://user@host/db for PostgreSQL.",
        },
    )
    secret_key: str = field(
        default="",
        metadata={
            "env": "TABLEKIT_SECRET_KEY",
            "doc": "Signs share links and webhook secrets; generated and kept in "
            "DATA_DIR/secret_key when empty.",
        },
    )
    base_url: str = field(
        default="http://127.0.0.1:8000",
        metadata={"env": "TABLEKIT_BASE_URL", "doc": "Public URL used in e-mails and links."},
    )
    smtp_host: str = field(
        default="",
        metadata={
            "env": "TABLEKIT_SMTP_HOST",
            "doc": "SMTP server; empty keeps every mail in the in-app outbox.",
        },
    )
    smtp_port: int = field(default=25, metadata={"env": "TABLEKIT_SMTP_PORT", "doc": "SMTP port."})
    smtp_tls: str = field(
        default="none",
        metadata={"env": "TABLEKIT_SMTP_TLS", "doc": "none, starttls or tls."},
    )
    smtp_user: str = field(
        default="", metadata={"env": "TABLEKIT_SMTP_USER", "doc": "SMTP login (optional)."}
    )
    smtp_password: str = field(
        default="", metadata={"env": "TABLEKIT_SMTP_PASSWORD", "doc": "SMTP password (optional)."}
    )
    smtp_from: str = field(
        default="tablekit@localhost",
        metadata={"env": "TABLEKIT_SMTP_FROM", "doc": "Sender address of outgoing mail."},
    )
    http_allowlist: tuple[str, ...] = field(
        default=(),
        metadata={
            "env": "TABLEKIT_HTTP_ALLOWLIST",
            "doc": "Comma-separated hosts or CIDRs that outgoing requests may reach despite "
            "the SSRF guard (e.g. 127.0.0.1/32 for a local receiver).",
        },
    )
    host: str = field(
        default="127.0.0.1", metadata={"env": "TABLEKIT_HOST", "doc": "Address `serve` binds."}
    )
    port: int = field(default=8000, metadata={"env": "TABLEKIT_PORT", "doc": "Port `serve` binds."})
    secure_cookies: bool = field(
        default=False,
        metadata={
            "env": "TABLEKIT_SECURE_COOKIES",
            "doc": "Mark cookies Secure (set true behind HTTPS).",
        },
    )
    session_days: int = field(
        default=14, metadata={"env": "TABLEKIT_SESSION_DAYS", "doc": "Session lifetime in days."}
    )
    login_attempts_per_minute: int = field(
        default=10,
        metadata={
            "env": "TABLEKIT_LOGIN_ATTEMPTS_PER_MINUTE",
            "doc": "Failed logins allowed per IP and e-mail per minute before 429.",
        },
    )
    form_submissions_per_minute: int = field(
        default=20,
        metadata={
            "env": "TABLEKIT_FORM_SUBMISSIONS_PER_MINUTE",
            "doc": "Public form submissions allowed per visitor and form per minute.",
        },
    )
    form_lookups_per_minute: int = field(
        default=300,
        metadata={
            "env": "TABLEKIT_FORM_LOOKUPS_PER_MINUTE",
            "doc": "Picker searches on a public form allowed per visitor and form per minute.",
        },
    )
    max_upload_mb: int = field(
        default=50,
        metadata={"env": "TABLEKIT_MAX_UPLOAD_MB", "doc": "Largest accepted upload in MiB."},
    )
    run_worker: bool = field(
        default=True,
        metadata={
            "env": "TABLEKIT_RUN_WORKER",
            "doc": "Run the automation worker and scheduler inside `serve` (set false when "
            "separate `tablekit worker` processes do it).",
        },
    )
    import_max_mb: int = field(
        default=200,
        metadata={
            "env": "TABLEKIT_IMPORT_MAX_MB",
            "doc": "Largest accepted CSV/XLSX import file in MiB.",
        },
    )
    import_max_rows: int = field(
        default=2_000_000,
        metadata={"env": "TABLEKIT_IMPORT_MAX_ROWS", "doc": "Most data rows one import may hold."},
    )
    job_workers: int = field(
        default=2,
        metadata={
            "env": "TABLEKIT_JOB_WORKERS",
            "doc": "Background job threads (imports) per server process.",
        },
    )
    trash_days: int = field(
        default=30,
        metadata={
            "env": "TABLEKIT_TRASH_DAYS",
            "doc": "Days deleted rows, fields, tables and views stay restorable.",
        },
    )
    rate_limit_per_token: int = field(
        default=600,
        metadata={
            "env": "TABLEKIT_RATE_LIMIT_PER_TOKEN",
            "doc": "API requests per minute per token or session before 429 (0 = off).",
        },
    )
    rate_limit_per_ip: int = field(
        default=1200,
        metadata={
            "env": "TABLEKIT_RATE_LIMIT_PER_IP",
            "doc": "API requests per minute per client IP before 429 (0 = off).",
        },
    )
    backup_dir: str = field(
        default="",
        metadata={
            "env": "TABLEKIT_BACKUP_DIR",
            "doc": "Where scheduled snapshots are written; empty means DATA_DIR/backups.",
        },
    )
    backup_every_hours: int = field(
        default=0,
        metadata={
            "env": "TABLEKIT_BACKUP_EVERY_HOURS",
            "doc": "Take a snapshot every N hours while serving (0 = off).",
        },
    )
    backup_keep: int = field(
        default=7,
        metadata={
            "env": "TABLEKIT_BACKUP_KEEP",
            "doc": "How many scheduled snapshots to keep; older ones are deleted.",
        },
    )
    live_poll_ms: int = field(
        default=400,
        metadata={
            "env": "TABLEKIT_LIVE_POLL_MS",
            "doc": "How often each server process looks for changes made by other processes "
            "to push over live-update sockets, in ms (0 = live updates off).",
        },
    )
    live_connections_per_user: int = field(
        default=20,
        metadata={
            "env": "TABLEKIT_LIVE_CONNECTIONS_PER_USER",
            "doc": "Live-update sockets one user may hold open per server process.",
        },
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every documented ``TABLEKIT_*`` variable; unset ones keep their default."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("bool", bool):
                values[f.name] = _bool(raw)
            elif f.name == "data_dir":
                values[f.name] = Path(raw)
            elif f.name == "http_allowlist":
                values[f.name] = tuple(p.strip() for p in raw.split(",") if p.strip())
            else:
                values[f.name] = raw
        return cls(**values)  # type: ignore[arg-type]

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tablekit.db').resolve()}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def effective_backup_dir(self) -> Path:
        return Path(self.backup_dir) if self.backup_dir else self.data_dir / "backups"

    def effective_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


def documented_settings() -> dict[str, str]:
    """Env var name → doc line, for the README and the docs test."""
    return {f.metadata["env"]: f.metadata["doc"] for f in fields(Settings)}
