"""Outgoing HTTP against loopback receivers admitted through the allow-list.

Every test runs under ``loopback_only``: a connection attempt to any other address fails
the test, so "refused before connecting" is checked, not assumed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tablekit.errors import ValidationFailed
from tablekit.notify.errors import DeliveryFailed
from tablekit.notify.http import Response, is_retryable, retry_after, send_request
from tablekit.notify.signing import SIGNATURE_HEADER, signed_headers, verify
from tests.support.loopback import (
    ReceivedRequest,
    Reply,
    client_tls,
    http_receiver,
    loopback_only,
    make_certificate,
    server_tls,
)

LOOPBACK = ("127.0.0.1/32",)


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    with loopback_only():
        yield


def redirect_to(location: str, status: int = 302) -> Reply:
    return status, {"Location": location}, b""


def test_signed_post_reaches_allowlisted_receiver() -> None:
    body = json.dumps({"event": "row_created", "row": 7}).encode()
    headers = {"Content-Type": "application/json", **signed_headers("s3cret", body)}

    with http_receiver() as receiver:
        response = send_request(
            "POST", receiver.url + "/hook?x=1", body=body, headers=headers, allowlist=LOOPBACK
        )

    assert (response.status, response.body) == (200, b"ok")
    [request] = receiver.requests
    assert (request.method, request.path, request.body) == ("POST", "/hook?x=1", body)
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert request.headers["content-type"] == "application/json"
    assert verify("s3cret", request.body, request.headers[SIGNATURE_HEADER.lower()])


def test_same_receiver_without_allowlist_is_refused_before_connecting() -> None:
    with http_receiver() as receiver, pytest.raises(ValidationFailed) as caught:
        send_request("POST", receiver.url + "/hook", body=b"{}")

    assert caught.value.code == "URL_NOT_ALLOWED"
    assert receiver.requests == []


def test_ipv6_loopback_receiver_is_reachable_when_allowlisted() -> None:
    with http_receiver(host="::1") as receiver:
        response = send_request("GET", receiver.url + "/v6", allowlist=("::1/128",))

    assert response.status == 200
    assert receiver.requests[0].headers["host"] == f"[::1]:{receiver.port}"


def test_connection_goes_to_the_pinned_address_with_the_original_host_header() -> None:
    calls: list[str] = []

    def rebinding_resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["10.0.0.1"]

    with http_receiver() as receiver:
        url = f"http://hooks.example.test:{receiver.port}/pinned"
        response = send_request("GET", url, allowlist=LOOPBACK, resolver=rebinding_resolver)

    assert response.status == 200
    assert calls == ["hooks.example.test"]
    assert receiver.requests[0].headers["host"] == f"hooks.example.test:{receiver.port}"


def test_redirect_to_a_refused_address_stops_before_connecting() -> None:
    def respond(request: ReceivedRequest) -> Reply:
        return redirect_to("http://169.254.169.254/latest/meta-data/")

    with http_receiver(respond) as receiver, pytest.raises(ValidationFailed) as caught:
        send_request("POST", receiver.url + "/hook", body=b"{}", allowlist=LOOPBACK)

    assert caught.value.code == "URL_NOT_ALLOWED"
    assert caught.value.details["address"] == "169.254.169.254"
    assert len(receiver.requests) == 1


def test_redirect_to_a_host_resolving_privately_is_refused() -> None:
    def resolver(host: str, port: int) -> list[str]:
        return {"receiver.test": ["127.0.0.1"], "evil.test": ["10.0.0.5"]}[host]

    with http_receiver(lambda r: redirect_to("http://evil.test/steal")) as receiver:
        url = f"http://receiver.test:{receiver.port}/"
        with pytest.raises(ValidationFailed, match=r"10\.0\.0\.5"):
            send_request("GET", url, allowlist=LOOPBACK, resolver=resolver)


def test_303_continues_as_get_without_body() -> None:
    def respond(request: ReceivedRequest) -> Reply:
        if request.path == "/start":
            return redirect_to("/done", 303)
        return 201, {}, b"done"

    with http_receiver(respond) as receiver:
        response = send_request(
            "POST",
            receiver.url + "/start",
            body=b"payload",
            headers={"Content-Type": "text/plain"},
            allowlist=LOOPBACK,
        )

    assert (response.status, response.body) == (201, b"done")
    assert response.redirects == (receiver.url + "/start",)
    assert response.url == receiver.url + "/done"
    second = receiver.requests[1]
    assert (second.method, second.body) == ("GET", b"")
    assert "content-type" not in second.headers


def test_307_keeps_method_and_body() -> None:
    def respond(request: ReceivedRequest) -> Reply:
        return redirect_to("/again", 307) if request.path == "/first" else (200, {}, b"")

    with http_receiver(respond) as receiver:
        send_request("PUT", receiver.url + "/first", body=b"data", allowlist=LOOPBACK)

    assert [(r.method, r.body) for r in receiver.requests] == [("PUT", b"data")] * 2


def test_credentials_are_dropped_when_a_redirect_changes_origin() -> None:
    with http_receiver() as other:

        def respond(request: ReceivedRequest) -> Reply:
            return redirect_to(other.url + "/elsewhere", 307)

        with http_receiver(respond) as first:
            send_request(
                "POST",
                first.url + "/",
                body=b"x",
                headers={"Authorization": "Bearer t0ken", "X-TableKit-Signature": "t=1,v1=a"},
                allowlist=LOOPBACK,
            )

    assert first.requests[0].headers["authorization"] == "Bearer t0ken"
    assert "authorization" not in other.requests[0].headers
    assert other.requests[0].headers["x-tablekit-signature"] == "t=1,v1=a"


def test_more_than_three_redirects_fail() -> None:
    redirecting = http_receiver(lambda r: redirect_to(f"/hop{len(r.path)}"))
    with redirecting as receiver, pytest.raises(DeliveryFailed) as caught:
        send_request("GET", receiver.url + "/", allowlist=LOOPBACK)

    assert caught.value.code == "HTTP_TOO_MANY_REDIRECTS"
    assert not caught.value.retryable
    assert len(receiver.requests) == 4


def test_slow_server_times_out() -> None:
    def respond(request: ReceivedRequest) -> Reply:
        time.sleep(1.5)
        return 200, {}, b"late"

    started = time.monotonic()
    with http_receiver(respond) as receiver, pytest.raises(DeliveryFailed) as caught:
        send_request("GET", receiver.url + "/", allowlist=LOOPBACK, timeout=0.3)

    assert caught.value.code == "HTTP_TIMEOUT"
    assert caught.value.retryable
    assert time.monotonic() - started < 1.4 + 0.5  # the receiver's thread is joined on exit


def test_response_larger_than_the_cap_fails() -> None:
    big = http_receiver(lambda r: (200, {}, b"x" * 5000))
    with big as receiver, pytest.raises(DeliveryFailed) as caught:
        send_request("GET", receiver.url + "/", allowlist=LOOPBACK, max_response_bytes=4096)

    assert caught.value.code == "HTTP_RESPONSE_TOO_LARGE"


def test_closed_port_is_a_retryable_connection_failure() -> None:
    with http_receiver() as receiver:
        url = receiver.url
    with pytest.raises(DeliveryFailed) as caught:
        send_request("GET", url + "/", allowlist=LOOPBACK)

    assert caught.value.code == "HTTP_CONNECTION_FAILED"
    assert is_retryable(caught.value)


@pytest.mark.parametrize(
    "headers",
    [{"X-Evil": "a\r\nInjected: yes"}, {"Bad Name": "x"}, {"X-Null": "a\0b"}],
)
def test_header_injection_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        send_request("GET", "http://127.0.0.1:9/", headers=headers, allowlist=LOOPBACK)

    assert caught.value.code == "HTTP_HEADER_INVALID"


def test_caller_cannot_override_host_or_framing_headers() -> None:
    with http_receiver() as receiver:
        send_request(
            "POST",
            receiver.url + "/",
            body=b"abc",
            headers={"Host": "evil.example", "Content-Length": "999"},
            allowlist=LOOPBACK,
        )

    request = receiver.requests[0]
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert (request.headers["content-length"], request.body) == ("3", b"abc")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"), "hooks.example.test")


def test_https_uses_sni_and_checks_the_certificate_for_the_host_name(
    certificate: tuple[Path, Path],
) -> None:
    cert, key = certificate

    with http_receiver(tls=server_tls(cert, key)) as receiver:
        response = send_request(
            "GET",
            f"https://hooks.example.test:{receiver.port}/secure",
            allowlist=LOOPBACK,
            resolver=lambda host, port: ["127.0.0.1"],
            ssl_context=client_tls(cert),
        )

    assert response.status == 200
    assert receiver.requests[0].server_name == "hooks.example.test"


def test_https_certificate_for_another_name_is_refused(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate

    tls = http_receiver(tls=server_tls(cert, key))
    with tls as receiver, pytest.raises(DeliveryFailed) as caught:
        send_request(
            "GET",
            f"https://other.example.test:{receiver.port}/",
            allowlist=LOOPBACK,
            resolver=lambda host, port: ["127.0.0.1"],
            ssl_context=client_tls(cert),
        )

    assert caught.value.code == "HTTP_TLS_FAILED"
    assert not caught.value.retryable
    assert receiver.requests == []


def test_https_never_redirects_to_plain_http(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with http_receiver() as plain:
        downgrade = http_receiver(lambda r: redirect_to(plain.url + "/"), tls=server_tls(cert, key))
        with downgrade as tls, pytest.raises(DeliveryFailed) as caught:
            send_request(
                "POST",
                f"https://hooks.example.test:{tls.port}/",
                body=b"secret",
                allowlist=LOOPBACK,
                resolver=lambda host, port: ["127.0.0.1"],
                ssl_context=client_tls(cert),
            )

    assert caught.value.code == "HTTP_REDIRECT_REFUSED"
    assert plain.requests == []


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (Response(200, {}, b""), False),
        (Response(404, {}, b""), False),
        (Response(408, {}, b""), True),
        (Response(429, {}, b""), True),
        (Response(500, {}, b""), True),
        (Response(501, {}, b""), False),
        (Response(503, {}, b""), True),
        (DeliveryFailed("t", code="HTTP_TIMEOUT", retryable=True), True),
        (DeliveryFailed("t", code="HTTP_TLS_FAILED", retryable=False), False),
        (ValidationFailed("no", code="URL_NOT_ALLOWED"), False),
        (ValidationFailed("dns", code="URL_UNRESOLVABLE"), True),
        (TimeoutError(), True),
        (ConnectionResetError(), True),
        (ValueError(), False),
    ],
)
def test_is_retryable(outcome: Response | BaseException, expected: bool) -> None:
    assert is_retryable(outcome) is expected


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

    assert retry_after(Response(429, {"retry-after": "120"}, b"")) == 120
    dated = Response(503, {"retry-after": "Wed, 01 May 2024 12:01:30 GMT"}, b"")
    assert retry_after(dated, now) == 90
    assert retry_after(Response(503, {"retry-after": "soon"}, b"")) is None
    assert retry_after(Response(503, {}, b"")) is None


def test_unsupported_method_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        send_request("CONNECT", "http://127.0.0.1:9/", allowlist=LOOPBACK)

    assert caught.value.code == "HTTP_METHOD"
