"""Webhook signatures: ``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from tablekit.notify.signing import SIGNATURE_HEADER, sign, signed_headers, verify

BODY = b'{"event":"row_created","row_id":42}'
NOW = 1_700_000_000


def test_header_has_the_documented_format_and_value() -> None:
    header = sign("whsec", BODY, now=NOW)

    expected = hmac.new(b"whsec", f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)


def test_round_trip_verifies() -> None:
    header = sign("whsec", BODY, now=NOW)

    assert verify("whsec", BODY, header, now=NOW + 10)


def test_signed_headers_uses_the_signature_header_name() -> None:
    headers = signed_headers(b"whsec", BODY, now=NOW)

    assert list(headers) == [SIGNATURE_HEADER] == ["X-TableKit-Signature"]
    assert verify(b"whsec", BODY, headers[SIGNATURE_HEADER], now=NOW)


@pytest.mark.parametrize(
    ("secret", "body", "now"),
    [
        ("other-secret", BODY, NOW),
        ("whsec", BODY + b" ", NOW),
        ("whsec", BODY, NOW + 301),
        ("whsec", BODY, NOW - 301),
        ("", BODY, NOW),
    ],
    ids=["wrong secret", "tampered body", "too old", "from the future", "empty secret"],
)
def test_mismatches_do_not_verify(secret: str, body: bytes, now: int) -> None:
    header = sign("whsec", BODY, now=NOW)

    assert not verify(secret, body, header, now=now)


def test_tolerance_is_configurable() -> None:
    header = sign("whsec", BODY, now=NOW)

    assert verify("whsec", BODY, header, tolerance=3600, now=NOW + 3000)
    assert not verify("whsec", BODY, header, tolerance=60, now=NOW + 61)


@pytest.mark.parametrize(
    "header",
    ["", "garbage", "t=abc,v1=00", f"t={NOW}", "v1=" + "0" * 64, f"t={NOW},v1=ä", "t=²,v1=00"],
)
def test_malformed_headers_verify_as_false(header: str) -> None:
    assert not verify("whsec", BODY, header, now=NOW)


def test_any_of_several_v1_signatures_may_match_during_secret_rotation() -> None:
    old = sign("old-secret", BODY, now=NOW)
    new_signature = sign("new-secret", BODY, now=NOW).split("v1=")[1]

    assert verify("new-secret", BODY, f"{old},v1={new_signature}", now=NOW)
    assert verify("old-secret", BODY, f"{old},v1={new_signature}", now=NOW)


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        sign("", BODY)
