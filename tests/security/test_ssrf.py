"""SSRF: webhook and import URLs must not reach the server itself or internal networks.

The guard's decision is tested with stub resolvers and without sockets (``loopback_only``
fails the test on any connection to a non-loopback address); the live checks use a
loopback receiver, which is refused unless the admin allow-list names it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tablekit.errors import ValidationFailed
from tablekit.notify.http import send_request
from tablekit.notify.ssrf import check_url
from tests.support.loopback import ReceivedRequest, Reply, http_receiver, loopback_only


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[list[object]]:
    with loopback_only() as attempts:
        yield attempts


def public_resolver(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1/", "127.0.0.1"),
        ("http://127.0.0.1:8000/api/v1/users", "127.0.0.1"),
        ("http://10.0.0.1/", "10.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:a9fe:a9fe"),
        ("http://2130706433/", "127.0.0.1"),
        ("http://0x7f000001/", "127.0.0.1"),
        ("http://0x7f.1/", "127.0.0.1"),
        ("http://017700000001/", "127.0.0.1"),
        ("http://[::1]/", "::1"),
        ("http://[::]/", "::"),
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://0/", "0.0.0.0"),
        ("http://100.64.0.1/", "100.64.0.1"),
        ("http://192.168.0.1/", "192.168.0.1"),
        ("http://[fd00::1]/", "fd00::1"),
        ("http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe"),
        ("http://[2002:a9fe:a9fe::1]/", "2002:a9fe:a9fe::1"),
        ("https://[::ffff:10.0.0.1]:443/", "::ffff:a00:1"),
    ],
)
def test_internal_addresses_are_refused(url: str, address: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_url(url, resolver=public_resolver)

    assert caught.value.code == "URL_NOT_ALLOWED"
    assert caught.value.details["address"] == address


@pytest.mark.parametrize(
    "answer",
    [["127.0.0.1"], ["10.0.0.1"], ["169.254.169.254"], ["::1"], ["::ffff:127.0.0.1"]],
)
def test_host_name_resolving_to_an_internal_address_is_refused(answer: list[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_url("https://innocent.example.com/hook", resolver=lambda host, port: answer)

    assert caught.value.code == "URL_NOT_ALLOWED"
    assert "innocent.example.com resolves to" in caught.value.message


def test_dns_rebinding_only_one_resolution_is_used() -> None:
    answers = [["93.184.216.34"], ["127.0.0.1"]]
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[min(len(calls), 2) - 1]

    target = check_url("https://rebind.example.com/", resolver=rebinding)

    assert calls == ["rebind.example.com"]
    assert target.address == "93.184.216.34"


def test_dns_rebinding_cannot_redirect_the_actual_connection() -> None:
    """The second answer (an internal address) is never asked for nor connected to."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])

    with http_receiver() as receiver:
        response = send_request(
            "GET",
            f"http://rebind.example.com:{receiver.port}/",
            allowlist=("127.0.0.1/32",),
            resolver=lambda host, port: next(answers),
        )

    assert response.status == 200
    assert next(answers) == ["10.0.0.1"]


def test_loopback_receiver_needs_the_allowlist(_loopback_only: list[object]) -> None:
    with http_receiver() as receiver:
        with pytest.raises(ValidationFailed) as caught:
            send_request("POST", receiver.url + "/hook", body=b"{}")
        refused_hits = len(receiver.requests)

        allowed = send_request("POST", receiver.url + "/hook", body=b"{}", allowlist=("127.0.0.1",))

    assert caught.value.code == "URL_NOT_ALLOWED"
    assert refused_hits == 0
    assert allowed.status == 200
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
        "http://[::ffff:127.0.0.1]:1/",
        "http://2130706433/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
def test_redirects_to_refused_targets_are_stopped_before_connecting(
    location: str, _loopback_only: list[object]
) -> None:
    def respond(request: ReceivedRequest) -> Reply:
        return 302, {"Location": location}, b""

    with http_receiver(respond) as receiver, pytest.raises(ValidationFailed) as caught:
        send_request("GET", receiver.url + "/", allowlist=("127.0.0.1/32",))

    assert caught.value.code == "URL_NOT_ALLOWED"
    assert len(receiver.requests) == 1
    assert all(address[0] == "127.0.0.1" for address in _loopback_only)  # type: ignore[index]
