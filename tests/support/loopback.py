"""Loopback servers for tests: an HTTP receiver (also used as a canary) and an SMTP server.

Both bind to 127.0.0.1 (or ::1) on a random free port and run in a background thread, so
tests can send real traffic without touching any other host. Use them as context managers::

    with http_receiver() as receiver:
        send_request("POST", receiver.url + "/hook", allowlist=("127.0.0.1/32",), ...)
        assert receiver.requests[0].body == b"..."

    with smtp_server() as smtp:
        SmtpSender(Settings(smtp_host=smtp.host, smtp_port=smtp.port)).send(message)
        assert smtp.messages[0].rcpt_tos == ["a@example.com"]

``make_certificate`` writes a throw-away self-signed certificate (needs the ``openssl``
command) for the TLS variants of both servers.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

LOOPBACK_HOSTS = ("127.0.0.1", "::1")


@contextmanager
def loopback_only() -> Iterator[list[Any]]:
    """Make every socket connection to a non-loopback address fail the test.

    Yields the list of attempted network addresses (Unix sockets are ignored). Tests of the
    SSRF guard use it to prove that a refused URL was refused *before* connecting, and that
    nothing ever leaves the machine.
    """
    attempts: list[Any] = []
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def check(address: Any) -> None:
        if not isinstance(address, tuple):
            return  # a Unix socket path (e.g. multiprocessing's forkserver): not network
        attempts.append(address)
        if address[0] not in LOOPBACK_HOSTS:
            raise AssertionError(f"test tried to connect to non-loopback address {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return original_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    try:
        yield attempts
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]


@dataclass(frozen=True)
class ReceivedRequest:
    """One request the HTTP receiver got; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    server_name: str | None = None  # TLS SNI, when served over TLS


Reply = tuple[int, dict[str, str], bytes]
Responder = Callable[[ReceivedRequest], Reply]


def ok_responder(request: ReceivedRequest) -> Reply:
    return 200, {"Content-Type": "text/plain"}, b"ok"


@dataclass
class HttpReceiver:
    """A running loopback HTTP(S) server; ``requests`` lists what it received, in order."""

    url: str
    port: int
    requests: list[ReceivedRequest] = field(default_factory=list)
    respond: Responder = ok_responder


class _Handler(BaseHTTPRequestHandler):
    server: _ReceiverServer
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = ReceivedRequest(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            server_name=self.server.sni.get(self.connection.getpeername()[1]),
        )
        self.server.receiver.requests.append(request)
        status, headers, content = self.server.receiver.respond(request)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class _ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True
    receiver: HttpReceiver
    sni: dict[int, str]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that give up early (timeout tests) are expected; keep output quiet."""


@contextmanager
def http_receiver(
    respond: Responder | None = None,
    *,
    host: str = "127.0.0.1",
    tls: ssl.SSLContext | None = None,
) -> Iterator[HttpReceiver]:
    """Run a loopback HTTP server (HTTPS when ``tls`` is a server context) until exit."""
    if host not in LOOPBACK_HOSTS:
        raise ValueError("test servers bind to loopback only")

    class Server(_ReceiverServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, 0), _Handler)
    server.sni = {}
    if tls is not None:

        def remember_sni(sock: Any, name: str | None, _: ssl.SSLContext) -> None:
            if name is not None:
                server.sni[sock.getpeername()[1]] = name

        tls.sni_callback = remember_sni
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    scheme = "https" if tls is not None else "http"
    receiver = HttpReceiver(url=f"{scheme}://{shown}:{port}", port=port)
    if respond is not None:
        receiver.respond = respond
    server.receiver = receiver
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def canary_server() -> Iterator[HttpReceiver]:
    """An HTTP receiver whose only job is to prove nobody called it (``requests == []``)."""
    with http_receiver() as receiver:
        yield receiver


@dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP server accepted, as parsed by the standard library."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)


class _Recorder:
    def __init__(self, server: SmtpServer, refuse: frozenset[str]) -> None:
        self.server = server
        self.refuse = refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.server.messages.append(
            ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), parsed, raw)
        )
        return "250 Message accepted for delivery"


class _AnyPortController(Controller):
    """aiosmtpd's Controller, bound to port 0; learns the real port before its self-check."""

    def _trigger_server(self) -> None:
        listening: Any = self.server
        self.port = listening.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@contextmanager
def smtp_server(
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    logins: dict[str, str] | None = None,
    refuse: tuple[str, ...] = (),
) -> Iterator[SmtpServer]:
    """Run a loopback SMTP server recording every accepted message.

    ``starttls`` offers and requires STARTTLS; ``implicit_tls`` wraps the port in TLS;
    ``logins`` (user → password) requires AUTH; ``refuse`` lists recipients answered 550.
    """
    record = SmtpServer(host="127.0.0.1", port=0)
    options: dict[str, Any] = {}
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=True)
    if implicit_tls is not None:
        options.update(ssl_context=implicit_tls)
    if logins is not None:

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            ok = isinstance(data, LoginPassword) and logins.get(data.login.decode()) == (
                data.password.decode()
            )
            return AuthResult(success=ok, handled=False)

        options.update(
            authenticator=authenticate,
            auth_required=True,
            auth_require_tls=starttls is not None or implicit_tls is not None,
        )
    controller = _AnyPortController(
        _Recorder(record, frozenset(a.lower() for a in refuse)),
        hostname="127.0.0.1",
        port=0,
        **options,
    )
    controller.start()
    record.port = controller.port
    try:
        yield record
    finally:
        controller.stop()


def make_certificate(directory: Path, *names: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``names`` (DNS names or IPs) → (cert.pem, key.pem)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("make_certificate needs the openssl command")
    cert, key = directory / "cert.pem", directory / "key.pem"
    alt = ",".join(
        f"IP:{name}" if name.replace(".", "").isdigit() or ":" in name else f"DNS:{name}"
        for name in names
    )
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", f"/CN={names[0]}", "-addext", f"subjectAltName={alt}"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def client_tls(cert: Path) -> ssl.SSLContext:
    """A client context that trusts only ``cert`` (host name checking stays on)."""
    return ssl.create_default_context(cafile=str(cert))
