"""The SSRF guard's decision, tested without any network: stub resolvers only."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tablekit.errors import ValidationFailed
from tablekit.notify.ssrf import Allowlist, blocked_reason, check_url, parse_url
from tests.support.loopback import loopback_only


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    with loopback_only() as attempts:
        yield
    assert attempts == [], "the guard's decision must not open connections"


class StubResolver:
    """Answers from a table and counts how often each host was asked."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


PUBLIC = StubResolver({"hooks.example.com": ["93.184.216.34"]})


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.0.8", "IETF"),
        ("198.18.0.1", "benchmarking"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("::127.0.0.1", "IPv4-compatible"),
        ("64:ff9b::7f00:1", "NAT64"),
        ("64:ff9b:1::1", "NAT64"),
        ("2002:7f00:1::1", "6to4 wrapping a loopback"),
        ("2002:a00:1::1", "6to4 wrapping a private"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
        ("fe80::1", "link-local"),
        ("fec0::1", "site-local"),
        ("fd00::1", "unique local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
    ],
)
def test_blocked_reason_names_non_public_addresses(address: str, reason: str) -> None:
    found = blocked_reason(ipaddress.ip_address(address))

    assert found is not None and reason in found


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700::1111", "2002:808:808::1"]
)
def test_blocked_reason_accepts_public_addresses(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


def test_public_host_is_resolved_once_and_pinned() -> None:
    resolver = StubResolver({"hooks.example.com": ["93.184.216.34", "93.184.216.35"]})

    target = check_url("https://hooks.example.com/in?x=1#frag", resolver=resolver)

    assert resolver.calls == [("hooks.example.com", 443)]
    assert target.address == "93.184.216.34"
    assert (target.scheme, target.host, target.port) == ("https", "hooks.example.com", 443)
    assert target.request_target == "/in?x=1"
    assert target.url == "https://hooks.example.com/in?x=1"


def test_host_resolving_to_private_address_is_refused() -> None:
    resolver = StubResolver({"intranet.example.com": ["10.0.0.7"]})

    with pytest.raises(ValidationFailed) as caught:
        check_url("http://intranet.example.com/", resolver=resolver)

    assert caught.value.code == "URL_NOT_ALLOWED"
    assert caught.value.details["address"] == "10.0.0.7"
    assert "resolves to 10.0.0.7" in caught.value.message


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    resolver = StubResolver({"mixed.example.com": ["93.184.216.34", "127.0.0.1"]})

    with pytest.raises(ValidationFailed, match=r"127\.0\.0\.1"):
        check_url("http://mixed.example.com/", resolver=resolver)


def test_allowlisted_network_admits_internal_address() -> None:
    resolver = StubResolver({"erp.internal.example": ["10.0.0.7"]})

    target = check_url("http://erp.internal.example:8069/hook", ("10.0.0.0/24",), resolver=resolver)

    assert (target.address, target.port) == ("10.0.0.7", 8069)


def test_allowlisted_network_does_not_admit_other_internal_addresses() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_url("http://169.254.169.254/latest/meta-data/", ("10.0.0.0/24",))

    assert caught.value.code == "URL_NOT_ALLOWED"


def test_allowlisted_host_name_admits_whatever_it_resolves_to() -> None:
    resolver = StubResolver({"erp.corp.": ["192.168.5.5"]})

    target = check_url("http://ERP.corp./x", ["erp.corp"], resolver=resolver)

    assert target.address == "192.168.5.5"


def test_ip_literal_is_checked_without_resolving() -> None:
    resolver = StubResolver({})

    target = check_url("http://93.184.216.34:8080/", resolver=resolver)

    assert resolver.calls == []
    assert (target.address, target.port) == ("93.184.216.34", 8080)


def test_unicode_host_is_resolved_in_ascii_form() -> None:
    resolver = StubResolver({"xn--bcher-kva.example": ["93.184.216.34"]})

    target = check_url("https://bücher.example/", resolver=resolver)

    assert target.host == "xn--bcher-kva.example"
    assert resolver.calls == [("xn--bcher-kva.example", 443)]


@pytest.mark.parametrize("answer", [[], None])
def test_unresolvable_host_is_reported_as_such(answer: list[str] | None) -> None:
    resolver = StubResolver({} if answer is None else {"nowhere.example": answer})

    with pytest.raises(ValidationFailed) as caught:
        check_url("https://nowhere.example/", resolver=resolver)

    assert caught.value.code == "URL_UNRESOLVABLE"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://hooks.example.com/", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://127.0.0.1:25/", "only http and https"),
        ("http://user:secret@hooks.example.com/", "user names"),
        ("http://hooks.example.com@127.0.0.1/", "user names"),
        ("http://hooks.example.com\\@127.0.0.1/", "backslash"),
        ("http://hooks.example.com/a b", "spaces"),
        ("http://hooks.example.com/\r\nX-Evil: 1", "control"),
        ("http:///path-only", "no host"),
        ("http://hooks.example.com:0/", "port 0"),
        ("http://hooks.example.com:99999/", "malformed"),
        ("http://1.2.3.4.5/", "not a valid host"),
        ("http://a..b/", "not a valid host"),
        ("http://[fe80::1%25eth0]/", "zone"),
        ("http://[not-an-ip]/", "malformed"),
        ("http://0xzz.0x1/", "not a valid host"),
        ("http://hooks.example.com/" + "a" * 5000, "longer than 4096"),
    ],
)
def test_malformed_or_disallowed_urls_are_refused(url: str, why: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_url(url, resolver=PUBLIC)

    assert caught.value.code == "URL_NOT_ALLOWED"
    assert why in caught.value.message
    assert PUBLIC.calls == []


@pytest.mark.parametrize(
    ("host", "meaning"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("134744072", "8.8.8.8"),
    ],
)
def test_legacy_ipv4_spellings_are_refused_even_when_public(host: str, meaning: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_url(f"http://{host}/", resolver=PUBLIC)

    assert caught.value.code == "URL_NOT_ALLOWED"
    assert caught.value.details["address"] == meaning


def test_full_width_digits_are_folded_before_the_check() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_url("http://\uff11\uff12\uff17.0.0.1/", resolver=PUBLIC)

    assert caught.value.details["address"] == "127.0.0.1"


def test_parse_url_checks_syntax_without_resolving() -> None:
    target = parse_url("HTTPS://Hooks.Example.com:8443/a?b=c")

    assert (target.scheme, target.host, target.port, target.address) == (
        "https",
        "hooks.example.com",
        8443,
        "",
    )
    assert target.url == "https://hooks.example.com:8443/a?b=c"


@pytest.mark.parametrize("entry", ["not a host", "bad_cidr/99", "-leading.example"])
def test_invalid_allowlist_entries_are_reported(entry: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        Allowlist.parse([entry])

    assert caught.value.code == "ALLOWLIST_INVALID"


def test_allowlist_parses_hosts_and_networks() -> None:
    rules = Allowlist.parse([" 127.0.0.1/32 ", "Hooks.Internal.", "::1", ""])

    assert rules.hosts == frozenset({"hooks.internal"})
    assert rules.admits_address(ipaddress.ip_address("127.0.0.1"))
    assert rules.admits_address(ipaddress.ip_address("::1"))
    assert not rules.admits_address(ipaddress.ip_address("127.0.0.2"))


def test_allowlist_accepts_the_comma_separated_setting_string() -> None:
    rules = Allowlist.parse("127.0.0.1/32, hooks.internal")

    assert rules.hosts == frozenset({"hooks.internal"})
    assert rules.admits_address(ipaddress.ip_address("127.0.0.1"))


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
    host=st.text(alphabet="0123456789abcdefx.:[]%@\\/-_éＡ１", max_size=30),
    rest=st.text(max_size=20),
)
def test_any_input_is_either_approved_or_refused_with_a_domain_error(
    scheme: str, host: str, rest: str
) -> None:
    try:
        target = check_url(f"{scheme}://{host}{rest}", resolver=lambda h, p: ["93.184.216.34"])
    except ValidationFailed as exc:
        assert exc.code in {"URL_NOT_ALLOWED", "URL_UNRESOLVABLE"}
    else:
        assert blocked_reason(ipaddress.ip_address(target.address)) is None
