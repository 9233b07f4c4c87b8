"""Fixtures for the browser tests: a real `tablekit serve` on a temporary data dir, a small
JSON client for arranging data through the API, and a signed-in Playwright page.

They skip with a reason when Chromium or the built app is missing, and fail instead when
TABLEKIT_REQUIRE_E2E is set (CI sets it; see .ci/run)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "tablekit" / "web" / "dist" / "index.html"
ADMIN = (
    os.environ.get("TABLEKIT_E2E_EMAIL", "admin@example.com"),
    os.environ.get("TABLEKIT_E2E_PASSWORD", "e2e-secret-pw"),
)
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


def _unavailable(reason: str) -> None:
    if os.environ.get("TABLEKIT_REQUIRE_E2E"):
        pytest.fail(f"TABLEKIT_REQUIRE_E2E is set but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tablekit() -> list[str]:
    exe = Path(sys.executable).with_name("tablekit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tablekit.cli"]


class Api:
    """A signed-in JSON client (session cookie + CSRF header), like the web app itself."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with self.opener.open(req, timeout=30) as res:
                raw = res.read()
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} {path} → {e.code}: {e.read()[:500]!r}") from None
        return json.loads(raw) if raw else None

    def login(self, email: str, password: str) -> None:
        self.csrf = self.call("POST", "/api/v1/auth/login", {"email": email, "password": password})[
            "csrf_token"
        ]


def eventually(check: Any, timeout: float = 10.0) -> Any:
    """Retry ``check()`` until it returns a truthy value (the UI saves in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


@contextmanager
def running_server(data_dir: Path, env: dict[str, str], timeout: float) -> Iterator[str]:
    """`tablekit serve` on a free loopback port until /healthz answers; its URL. Share links
    point at it (TABLEKIT_BASE_URL); its output goes to data_dir/server.log."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**env, "TABLEKIT_BASE_URL": url}
    log_path = data_dir / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [*_tablekit(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as res:
                if res.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"tablekit serve did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.3)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Developing the frontend: point the suite at `vite preview`/`vite` proxying a running
    # server (with TABLEKIT_E2E_EMAIL/PASSWORD of an admin there) instead of starting one.
    external = os.environ.get("TABLEKIT_E2E_URL")
    if external:
        yield external.rstrip("/")
        return
    if not DIST.exists():
        _unavailable("the web app is not built (run `make frontend`)")
    data_dir = tmp_path_factory.mktemp("tk-e2e")
    env = {**os.environ, "TABLEKIT_DATA_DIR": str(data_dir)}
    env.pop("TABLEKIT_DATABASE_URL", None)
    subprocess.run(
        [*_tablekit(), "create-user", "--email", ADMIN[0], "--password", ADMIN[1], "--admin"],
        env=env,
        check=True,
        capture_output=True,
    )
    with running_server(data_dir, env, timeout=60) as url:
        yield url


@pytest.fixture
def api(server: str) -> Api:
    client = Api(server)
    client.login(*ADMIN)
    return client


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        _unavailable("no Chromium found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright (Python) is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A Playwright page plus what the tests check on every screen: no page errors, no CSP
    violations, no alert dialogs (an XSS would open one)."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("console", self._console)
        page.on("dialog", self._dialog)

    def _console(self, msg: Any) -> None:
        if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text:
            self.problems.append(f"CSP: {msg.text}")
        if msg.type in ("error", "warning") and "AG Grid" in msg.text:
            # e.g. a grid feature whose module is not registered (error #200)
            self.problems.append(f"AG Grid: {msg.text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: str) -> None:
        self.page.goto(self.url + path)

    def shot(self, name: str) -> None:
        """Save a screenshot when TABLEKIT_SCREENSHOTS is set (the README's pictures)."""
        target = os.environ.get("TABLEKIT_SCREENSHOTS")
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(target) / f"{name}.png"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item, so the page fixture knows it failed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


def _explain_failure(p: Page, name: str) -> None:
    """What the page showed when the test failed: its URL, visible text (toasts, errors)
    and a screenshot, so a failure on CI can be read from the log alone."""
    try:
        text = p.page.inner_text("body", timeout=2_000)
        shot = Path(os.environ.get("TABLEKIT_E2E_FAILURES", "/tmp/tablekit-e2e-failures"))
        shot.mkdir(parents=True, exist_ok=True)
        p.page.screenshot(path=str(shot / f"{name}.png"), timeout=5_000)
    except Exception as e:  # the page may be gone; the test's own error says more
        print(f"(no page state: {e})")
        return
    print(f"--- page at failure: {p.page.url} (screenshot {shot / name}.png)\n{text[:3000]}")


@pytest.fixture
def page(browser: Any, server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    p = Page(context.new_page(), server)
    # A slower machine or network, as on a loaded CI runner, makes races between input,
    # rendering and saving show locally: TABLEKIT_E2E_CPU_THROTTLE=6, TABLEKIT_E2E_LATENCY_MS=300.
    throttle = float(os.environ.get("TABLEKIT_E2E_CPU_THROTTLE", "0"))
    if throttle > 1:
        cdp = context.new_cdp_session(p.page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    latency = float(os.environ.get("TABLEKIT_E2E_LATENCY_MS", "0"))
    if latency > 0:
        slow_network(p, latency)
    p.goto("/login")
    p.page.fill("#email", ADMIN[0])
    p.page.fill("#password", ADMIN[1])
    p.page.click("button[type=submit]")
    p.page.wait_for_url(lambda u: "/login" not in u)
    yield p
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        _explain_failure(p, re.sub(r"\W+", "_", request.node.name))
    context.close()
    assert not p.problems, p.problems
    assert not p.dialogs, f"unexpected dialogs: {p.dialogs}"


def slow_network(page: Page, latency_ms: float) -> None:
    """Delay every request of the page by ``latency_ms`` (Chromium's network emulation)."""
    cdp = page.page.context.new_cdp_session(page.page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


@pytest.fixture
def workspace_id(api: Api) -> int:
    return int(api.call("GET", "/api/v1/me")["memberships"][0]["workspace_id"])


def grid_row(page: Page, index: int) -> Any:
    """The grid row at ``index`` once its data is there, not the placeholder the infinite grid
    shows while the block is on its way (it has no row id yet; a click on it goes nowhere)."""
    return page.page.locator(f'.ag-row[row-index="{index}"][row-id]')


def grid_cell(page: Page, index: int, field_id: int | str) -> Any:
    """The cell of field ``field_id`` in the loaded grid row at ``index``."""
    return grid_row(page, index).locator(f'.ag-cell[col-id="{field_id}"]')


def open_table(page: Page, name: str) -> None:
    """Switch to a table by its tab and wait for its view to open."""
    from playwright.sync_api import expect

    p = page.page
    p.get_by_role("tab", name=name, exact=True).click()
    expect(p.get_by_role("tab", name=name, exact=True)).to_have_attribute("aria-selected", "true")
    p.wait_for_url(re.compile(r"/views/\d+"))


def add_view(page: Page, kind: str, name: str) -> None:
    """Add a view of ``kind`` ("Kanban", "Form", ...) to the open table through the view
    switcher, and wait until it is the open view."""
    p = page.page
    p.locator(".view-switcher").click()
    p.get_by_role("menuitem", name=re.compile(rf"^{kind}$")).click()
    p.fill("#prompt-input", name)
    p.get_by_role("button", name="Create view").click()
    p.locator(".view-switcher", has_text=name).wait_for()
