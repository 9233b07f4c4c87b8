"""``tablekit templates list|install`` and the first start, against a small bundle placed
where the gallery looks (installing the real sample takes seconds and is tested once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tablekit import cli
from tablekit.services.container import build_services
from tablekit.settings import Settings
from tablekit.templates_lib import gallery
from tablekit.templates_lib.bundle import Bundle
from tests.templates.test_validation import shop


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv("TABLEKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TABLEKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'tk.db'}")
    monkeypatch.setenv("TABLEKIT_SECRET_KEY", "test-secret")
    roots = tmp_path / "bundles"
    Bundle.from_json(shop()).write_dir(roots / "shop")
    monkeypatch.setattr(gallery, "bundled_roots", lambda: [roots])
    return Settings.from_env()


def test_list_shows_the_bundled_templates(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["templates", "list"]) == 0
    out = capsys.readouterr().out
    assert "order_management" in out and "Order management (1.0.0)" in out
    assert "warehouse" in out


def test_install_creates_a_base_for_the_user(
    env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli.main(["create-user", "--email", "ann@example.com", "--password", "pw-long-1234"]) == 0
    )
    assert cli.main(["templates", "install", "shop", "--email", "ann@example.com"]) == 0
    assert "created base 'Shop'" in capsys.readouterr().out
    services = build_services(env)
    try:
        schema = services.schema.base_schema(_actor(services, "ann@example.com"), 1)
        assert [t["name"] for t in schema["tables"]] == ["Customers", "Orders"]
    finally:
        services.close()


def test_install_of_an_unknown_template_fails_cleanly(
    env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.main(["create-user", "--email", "ann@example.com", "--password", "pw-long-1234", "--admin"])
    assert cli.main(["templates", "install", "nope"]) == 2
    assert "Unknown template 'nope'" in capsys.readouterr().err


def test_first_start_installs_every_bundled_template(env: Settings) -> None:
    cli.cmd_migrate(env, None)  # type: ignore[arg-type]
    created = cli.ensure_admin(env)
    assert created is not None
    services = build_services(env)
    try:
        actor = _actor(services, created[0])
        workspace = services.workspaces.mine(actor)[0]["id"]
        assert [b["name"] for b in services.workspaces.bases(actor, workspace)] == ["Shop"]
    finally:
        services.close()


def _actor(services, email):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from tablekit.db.models import User
    from tablekit.services.actor import Actor

    with services.db.read() as session:
        user = session.scalar(select(User).where(User.email == email))
        return Actor(user_id=user.id, email=user.email, is_admin=user.is_admin)
