"""The built web app is served with correct types, a strict CSP, and an SPA fallback."""

import pytest

import tablekit.web as web


@pytest.fixture
def dist(tmp_path, monkeypatch):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>TableKit</title>")
    (tmp_path / "assets" / "app-1.js").write_text("console.log(1)")
    (tmp_path / "assets" / "app-1.css").write_text("body{}")
    monkeypatch.setattr(web, "DIST", tmp_path)
    return tmp_path


def test_assets_have_their_content_types(client, dist):
    js = client.get("/assets/app-1.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "immutable" in js.headers["cache-control"]
    css = client.get("/assets/app-1.css")
    assert css.headers["content-type"].startswith("text/css")


def test_client_routes_fall_back_to_index_with_a_strict_csp(client, dist):
    page = client.get("/bases/3/tables/7")
    assert page.status_code == 200 and "TableKit" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp


def test_api_paths_never_fall_back_to_the_app(client, dist):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


def test_path_traversal_cannot_leave_the_app(client, dist):
    response = client.get("/assets/..%2f..%2fetc%2fpasswd")
    assert "root:" not in response.text
