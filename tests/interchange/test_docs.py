"""The settings and endpoints this package adds are documented where admins look."""

from __future__ import annotations

from pathlib import Path

from tablekit.settings import documented_settings

ROOT = Path(__file__).resolve().parents[2]
OURS = (
    "TABLEKIT_IMPORT_MAX_MB",
    "TABLEKIT_IMPORT_MAX_ROWS",
    "TABLEKIT_JOB_WORKERS",
    "TABLEKIT_TRASH_DAYS",
    "TABLEKIT_RATE_LIMIT_PER_TOKEN",
    "TABLEKIT_RATE_LIMIT_PER_IP",
    "TABLEKIT_BACKUP_DIR",
    "TABLEKIT_BACKUP_EVERY_HOURS",
    "TABLEKIT_BACKUP_KEEP",
)


def test_our_settings_are_in_the_readme_and_the_data_guide() -> None:
    readme = (ROOT / "README.md").read_text()
    guide = (ROOT / "docs" / "data.md").read_text()
    documented = documented_settings()
    for name in OURS:
        assert name in documented
        assert f"| `{name}` |" in readme, name
        assert f"`{name}`" in guide, name


def test_the_data_guide_names_every_endpoint() -> None:
    guide = (ROOT / "docs" / "data.md").read_text()
    for path in (
        "/api/v1/bases/{base}/import",
        "/api/v1/tables/{table}/import",
        "/api/v1/jobs/17",
        "/api/v1/tables/{table}/export",
        "import/preview",
        "DELETE /api/v1/bases/{base}/trash",
        "tablekit backup",
        "tablekit restore",
    ):
        assert path in guide, path
