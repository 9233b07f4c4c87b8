"""SSRF guard: decide whether an outgoing request may reach a URL, and at which address.

Users type webhook and import URLs, so without a guard any editor could make the server
call its own admin ports, the cloud metadata service (169.254.169.254) or the office
network. The guard therefore:

- accepts only ``http``/``https`` URLs without user-info or backslashes;
- refuses IPv4 spellings that only libc understands (``2130706433``, ``0x7f.1``,
  ``017700000001``): they exist to slip past naive checks, no real webhook uses them;
- resolves the host **once** and requires every resolved address to be global. The caller
  (:mod:`tablekit.notify.http`) then connects to the pinned address, so a DNS answer that
  changes between check and connect (DNS rebinding) cannot redirect the request;
- lets an admin allow-list (``TABLEKIT_HTTP_ALLOWLIST``: host names or CIDRs) admit
  internal targets on purpose.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from tablekit.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: ``resolver(host, port)`` returns the IP addresses (as text) the host resolves to.
Resolver = Callable[[str, int], Sequence[str]]

DEFAULT_PORTS = {"http": 80, "https": 443}

# Ranges refused with a named reason. ``ipaddress``'s is_global/is_private flags differ
# between Python versions (192.0.0.0/24, fec0::/10 and 64:ff9b::/96 count as global on
# 3.11), so the ranges that matter are spelled out here and the flags are the fallback.
_NAMED_RANGES: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ipaddress.ip_network(cidr), reason)
    for cidr, reason in (
        ("0.0.0.0/8", "unspecified"),
        ("127.0.0.0/8", "loopback"),
        ("10.0.0.0/8", "private"),
        ("172.16.0.0/12", "private"),
        ("192.168.0.0/16", "private"),
        ("100.64.0.0/10", "shared (carrier-grade NAT)"),
        ("169.254.0.0/16", "link-local"),
        ("192.0.0.0/24", "IETF protocol assignment"),
        ("192.0.2.0/24", "documentation"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("192.88.99.0/24", "6to4 relay"),
        ("198.18.0.0/15", "benchmarking"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::ffff:0:0/96", "IPv4-mapped IPv6"),
        ("::/96", "IPv4-compatible IPv6"),
        ("64:ff9b::/96", "NAT64"),
        ("64:ff9b:1::/48", "NAT64"),
        ("100::/64", "discard-only"),
        ("2001::/32", "Teredo"),
        ("2001:db8::/32", "documentation"),
        ("fc00::/7", "unique local (private)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)

_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")


@dataclass(frozen=True)
class Target:
    """A URL the guard approved, with the one address the request must connect to."""

    url: str
    scheme: str
    host: str  # ASCII host name or IP literal, without brackets
    port: int
    request_target: str  # path and query, as sent in the request line
    address: str  # the pinned IP; never resolve ``host`` again

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


@dataclass(frozen=True)
class Allowlist:
    """Admin-approved internal targets: exact host names and IP networks."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Allowlist:
        """Read allow-list entries (or one comma-separated string); raises ValidationFailed."""
        if isinstance(entries, str):
            entries = entries.split(",")
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = entry.rstrip(".")
            if not all(_HOST_LABEL.fullmatch(label) for label in name.split(".")):
                raise ValidationFailed(
                    f"HTTP allow-list entry {raw!r} is neither a host name nor a CIDR",
                    code="ALLOWLIST_INVALID",
                    details={"entry": raw},
                )
            hosts.add(name)
        return cls(frozenset(hosts), tuple(networks))

    def admits_host(self, host: str) -> bool:
        return host.rstrip(".") in self.hosts

    def admits_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


def blocked_reason(address: IPAddress) -> str | None:
    """Why ``address`` is not a public target (e.g. ``"loopback"``), or None when it is."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.sixtofour is not None:
            inner = blocked_reason(address.sixtofour)
            if inner is not None:
                return f"6to4 wrapping a {inner}"
        address = ipaddress.IPv6Address(address.packed)  # drop a %scope suffix
    for network, reason in _NAMED_RANGES:
        if address.version == network.version and address in network:
            return reason
    if address.is_private or address.is_reserved or not address.is_global:
        return "non-public"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve through the operating system (getaddrinfo), keeping the answer order."""
    found: list[str] = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6) and sockaddr[0] not in found:
            found.append(str(sockaddr[0]))
    return found


def _refuse(url: str, why: str, **details: str) -> ValidationFailed:
    return ValidationFailed(
        f"URL not allowed: {why}", code="URL_NOT_ALLOWED", details={"url": url, **details}
    )


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Decode inet_aton spellings (``127.1``, ``0x7f000001``, ``0177.0.0.1``), else None."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        if part.startswith("0x"):
            if not set(part[2:]) <= set("0123456789abcdef"):
                return None
            values.append(int(part[2:] or "0", 16))
        elif part.startswith("0") and len(part) > 1:
            if not set(part) <= set("01234567"):
                return None
            values.append(int(part, 8))
        elif part.isdigit():
            values.append(int(part))
        else:
            return None
    *head, last = values
    if any(value > 255 for value in head) or last >= 256 ** (5 - len(values)):
        return None
    return ipaddress.IPv4Address(sum(v << (24 - 8 * i) for i, v in enumerate(head)) + last)


def _normalise_host(url: str, hostname: str, bracketed: bool) -> tuple[str, IPAddress | None]:
    """ASCII host name (or IP literal) and the literal address when the host is one."""
    if bracketed:
        if "%" in hostname:
            raise _refuse(url, "IPv6 zone identifiers are not allowed")
        try:
            return hostname, ipaddress.IPv6Address(hostname)
        except ValueError:
            raise _refuse(url, f"{hostname!r} is not an IPv6 address") from None
    try:
        # IDNA also folds full-width digits (U+FF11...), so they are checked as ASCII below.
        host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _refuse(url, f"{hostname!r} is not a valid host name") from None
    name = host[:-1] if host.endswith(".") else host
    if _NUMERIC_LABEL.fullmatch(name.rsplit(".", 1)[-1]):
        try:
            return name, ipaddress.IPv4Address(name)
        except ValueError:
            legacy = _legacy_ipv4(name)
        if legacy is not None:
            raise _refuse(
                url,
                f"{hostname!r} is a non-canonical spelling of {legacy}; write addresses as "
                "dotted quads",
                address=str(legacy),
            )
        raise _refuse(url, f"{hostname!r} is not a valid host name")
    if len(name) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in name.split(".")):
        raise _refuse(url, f"{hostname!r} is not a valid host name")
    return host, None


def parse_url(url: str) -> Target:
    """Check a URL's syntax (scheme, user-info, host spelling) without resolving it.

    Useful when a webhook is saved. The returned Target has an empty ``address``; only
    :func:`check_url` fills it. Raises ValidationFailed(code="URL_NOT_ALLOWED").
    """
    return _parse(url)[0]


def _parse(url: str) -> tuple[Target, IPAddress | None]:
    if len(url) > 4096:
        raise _refuse(url[:200], "the URL is longer than 4096 characters")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise _refuse(url[:200], "URLs may not contain spaces or control characters")
    if "\\" in url:
        raise _refuse(url, "URLs may not contain backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refuse(url, f"malformed URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _refuse(url, "only http and https URLs are allowed")
    if "@" in parts.netloc:
        raise _refuse(url, "URLs may not contain user names or passwords")
    if not parts.hostname:
        raise _refuse(url, "the URL has no host")
    if port == 0:
        raise _refuse(url, "port 0 is not a valid port")
    bracketed = parts.netloc.startswith("[")
    host, literal = _normalise_host(url, parts.hostname, bracketed)
    port = DEFAULT_PORTS[scheme] if port is None else port
    netloc = f"[{host}]" if bracketed else host
    if port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    request_target = f"{path}?{parts.query}" if parts.query else path
    clean = urlunsplit((scheme, netloc, path, parts.query, ""))
    return Target(clean, scheme, host, port, request_target, address=""), literal


def check_url(
    url: str,
    allowlist: Allowlist | Iterable[str] = (),
    *,
    resolver: Resolver = system_resolver,
) -> Target:
    """Approve ``url`` for one request and pin the address to connect to.

    The host is resolved exactly once. Every resolved address must be public, unless the
    host name or the address is on the allow-list. Raises ValidationFailed with code
    ``URL_NOT_ALLOWED`` (refused) or ``URL_UNRESOLVABLE`` (DNS gave no answer; may be
    transient).
    """
    rules = allowlist if isinstance(allowlist, Allowlist) else Allowlist.parse(allowlist)
    target, literal = _parse(url)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            answer = list(resolver(target.host, target.port))
        except (OSError, UnicodeError) as exc:
            answer, error = [], str(exc)
        else:
            error = "no addresses"
        if not answer:
            raise ValidationFailed(
                f"cannot resolve host {target.host!r}: {error}",
                code="URL_UNRESOLVABLE",
                details={"url": target.url},
            )
        try:
            addresses = [ipaddress.ip_address(text.split("%", 1)[0]) for text in answer]
        except ValueError:
            raise _refuse(target.url, f"{target.host!r} resolved to a malformed address") from None
    if not rules.admits_host(target.host):
        for address in addresses:
            reason = blocked_reason(address)
            if reason is not None and not rules.admits_address(address):
                shown = "" if literal is not None else f"{target.host} resolves to "
                raise _refuse(
                    target.url,
                    f"{shown}{address}, which is not a public address ({reason}); outgoing "
                    "requests may only reach public addresses unless an admin allow-lists "
                    "the target (TABLEKIT_HTTP_ALLOWLIST)",
                    address=str(address),
                    reason=reason,
                )
    return Target(
        target.url,
        target.scheme,
        target.host,
        target.port,
        target.request_target,
        address=str(addresses[0]),
    )
