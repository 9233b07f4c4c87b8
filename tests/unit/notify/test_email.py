"""Building mails (header injection refused) and sending them to a real loopback SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tablekit.errors import TooLarge, ValidationFailed
from tablekit.notify import email as email_module
from tablekit.notify.email import SmtpSender, build_message, parse_address, smtp_configured
from tablekit.notify.errors import DeliveryFailed
from tablekit.settings import Settings
from tests.support.loopback import (
    client_tls,
    loopback_only,
    make_certificate,
    server_tls,
    smtp_server,
)

PDF = b"%PDF-1.7\n% fake but binary \x00\xff\n%%EOF"


@pytest.fixture(autouse=True)
def _loopback_only() -> Iterator[None]:
    with loopback_only():
        yield


def body_text(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    content: str = part.get_content()
    return content


def order_mail(**overrides: object) -> EmailMessage:
    arguments: dict[str, object] = {
        "sender": "Shop <shop@example.com>",
        "to": ["anna@example.com", "Bob Müller <bob@example.org>"],
        "cc": ["sales@example.com"],
        "subject": "Order 1042 confirmed",
        "text_body": "Dear Anna,\nyour order is confirmed.\n",
        "html_body": "<p>Dear Anna,<br>your order is <b>confirmed</b>.</p>",
        "attachments": [("Order 1042.pdf", "application/pdf", PDF)],
        "idempotency_key": "rule:5/run:77/step:2",
    }
    arguments.update(overrides)
    return build_message(**arguments)  # type: ignore[arg-type]


def test_message_carries_addresses_subject_bodies_and_attachment() -> None:
    message = order_mail()

    assert message["From"] == "Shop <shop@example.com>"
    assert message["To"].addresses[1].display_name == "Bob Müller"
    assert [a.addr_spec for a in message["Cc"].addresses] == ["sales@example.com"]
    assert message["Subject"] == "Order 1042 confirmed"
    assert message["Auto-Submitted"] == "auto-generated"
    assert body_text(message, "plain") == "Dear Anna,\nyour order is confirmed.\n"
    assert "<b>confirmed</b>" in body_text(message, "html")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "Order 1042.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_message_id_is_derived_from_the_idempotency_key() -> None:
    first, retry = order_mail(), order_mail()
    other = order_mail(idempotency_key="rule:5/run:78/step:2")

    assert first["Message-ID"] == retry["Message-ID"]
    assert first["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].endswith("@example.com>")


def test_message_id_is_random_without_a_key() -> None:
    assert (
        order_mail(idempotency_key=None)["Message-ID"]
        != order_mail(idempotency_key=None)["Message-ID"]
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("subject", "Hello\r\nBcc: victim@example.com"),
        ("subject", "Hello\nX-Injected: 1"),
        ("subject", "Hello\rWorld"),
        ("subject", "Hello\u2028Bcc: victim@example.com"),
        ("subject", "Hello\x85Bcc: victim@example.com"),
        ("to", ["anna@example.com\r\nBcc: victim@example.com"]),
        ("to", ["anna@example.com\nBcc: victim@example.com"]),
        ("cc", ["Eve <eve@example.com>\r\nX-Evil: 1"]),
        ("sender", "shop@example.com\r\nReply-To: evil@example.com"),
        ("to", ["anna@example.com, victim@example.com"]),
        ("to", ["not-an-address"]),
        ("to", ["anna@"]),
        ("to", ["@example.com"]),
        ("to", ["anna@exa mple.com"]),
        ("to", ["anna@-example.com"]),
        ("to", ['"quoted local"@example.com']),
        ("to", []),
        ("attachments", [("a\r\nb.pdf", "application/pdf", b"x")]),
        ("attachments", [("a.pdf", "application/pdf\r\nX: 1", b"x")]),
        ("attachments", [("a.pdf", "pdf", b"x")]),
    ],
)
def test_injection_and_bad_input_are_refused(field: str, value: object) -> None:
    overrides: dict[str, object] = {field: value}
    if field == "to" and value == []:
        overrides["cc"] = []

    with pytest.raises(ValidationFailed) as caught:
        order_mail(**overrides)

    assert caught.value.code == "EMAIL_INVALID"


@pytest.mark.parametrize(
    ("value", "spec", "name"),
    [
        ("anna@example.com", "anna@example.com", ""),
        ("  Anna Berg <anna@example.com> ", "anna@example.com", "Anna Berg"),
        ('"Berg, Anna" <anna@example.com>', "anna@example.com", "Berg, Anna"),
        ("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk", ""),
        ("info@bücher.example", "info@xn--bcher-kva.example", ""),
        ("tablekit@localhost", "tablekit@localhost", ""),
    ],
)
def test_parse_address_accepts_real_mailboxes(value: str, spec: str, name: str) -> None:
    address = parse_address(value)

    assert (address.addr_spec, address.display_name) == (spec, name)


def test_path_separators_in_attachment_names_are_neutralised() -> None:
    message = order_mail(attachments=[("../../etc/passwd", "text/plain", b"x")])

    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == ".._.._etc_passwd"


def test_oversized_mail_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(email_module, "MAX_MESSAGE_BYTES", 20_000)

    with pytest.raises(TooLarge) as caught:
        order_mail(attachments=[("big.bin", "application/octet-stream", b"\0" * 20_000)])

    assert caught.value.code == "EMAIL_TOO_LARGE"


def test_smtp_configured_follows_the_host_setting() -> None:
    assert not smtp_configured(Settings())
    assert not smtp_configured(Settings(smtp_host="  "))
    assert smtp_configured(Settings(smtp_host="mail.example.com"))


def settings_for(host: str, port: int, **extra: object) -> Settings:
    return Settings(smtp_host=host, smtp_port=port, **extra)  # type: ignore[arg-type]


def test_send_delivers_recipients_subject_body_and_attachment() -> None:
    with smtp_server() as server:
        sent = SmtpSender(settings_for(server.host, server.port)).send(order_mail())

    [mail] = server.messages
    assert mail.mail_from == "shop@example.com"
    assert sorted(mail.rcpt_tos) == ["anna@example.com", "bob@example.org", "sales@example.com"]
    assert mail.message["Subject"] == "Order 1042 confirmed"
    assert mail.message["Message-ID"] == sent.message_id
    assert "your order is confirmed." in body_text(mail.message, "plain")
    [attachment] = list(mail.message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == ("Order 1042.pdf", PDF)
    assert sent.refused == {}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("smtp-tls"), "127.0.0.1")


def test_starttls_with_login(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with smtp_server(starttls=server_tls(cert, key), logins={"shop": "pw"}) as server:
        settings = settings_for(
            server.host, server.port, smtp_tls="starttls", smtp_user="shop", smtp_password="pw"
        )
        SmtpSender(settings, ssl_context=client_tls(cert)).send(order_mail())

    assert len(server.messages) == 1


def test_implicit_tls(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with smtp_server(implicit_tls=server_tls(cert, key)) as server:
        settings = settings_for(server.host, server.port, smtp_tls="tls")
        SmtpSender(settings, ssl_context=client_tls(cert)).send(order_mail())

    assert server.messages[0].message["Subject"] == "Order 1042 confirmed"


def test_untrusted_certificate_is_a_permanent_tls_failure(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with smtp_server(starttls=server_tls(cert, key)) as server:
        settings = settings_for(server.host, server.port, smtp_tls="starttls")
        with pytest.raises(DeliveryFailed) as caught:
            SmtpSender(settings).send(order_mail())  # system trust store: cert unknown

    assert (caught.value.code, caught.value.retryable) == ("SMTP_TLS_FAILED", False)
    assert server.messages == []


def test_wrong_password_is_a_permanent_failure(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    with smtp_server(starttls=server_tls(cert, key), logins={"shop": "pw"}) as server:
        settings = settings_for(
            server.host, server.port, smtp_tls="starttls", smtp_user="shop", smtp_password="no"
        )
        with pytest.raises(DeliveryFailed) as caught:
            SmtpSender(settings, ssl_context=client_tls(cert)).send(order_mail())

    assert (caught.value.code, caught.value.retryable) == ("SMTP_AUTH_FAILED", False)
    assert server.messages == []


def test_partially_refused_recipients_are_reported() -> None:
    with smtp_server(refuse=("bob@example.org",)) as server:
        sent = SmtpSender(settings_for(server.host, server.port)).send(order_mail())

    assert list(sent.refused) == ["bob@example.org"]
    assert sent.refused["bob@example.org"].startswith("550")
    assert sorted(server.messages[0].rcpt_tos) == ["anna@example.com", "sales@example.com"]


def test_all_recipients_refused_is_a_permanent_failure() -> None:
    message = order_mail(to=["bob@example.org"], cc=[])
    with (
        smtp_server(refuse=("bob@example.org",)) as server,
        pytest.raises(DeliveryFailed) as caught,
    ):
        SmtpSender(settings_for(server.host, server.port)).send(message)

    assert (caught.value.code, caught.value.retryable) == ("SMTP_RECIPIENTS_REFUSED", False)


def test_unreachable_server_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the send: nothing listens

    with pytest.raises(DeliveryFailed) as caught:
        SmtpSender(settings_for("127.0.0.1", port), timeout=2).send(order_mail())

    assert (caught.value.code, caught.value.retryable) == ("SMTP_CONNECTION_FAILED", True)


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        (Settings(), "SMTP_NOT_CONFIGURED"),
        (Settings(smtp_host="mail.example.com", smtp_tls="ssl"), "SMTP_SETTINGS_INVALID"),
        (
            Settings(smtp_host="mail.example.com", smtp_user="u", smtp_password="p"),
            "SMTP_SETTINGS_INVALID",
        ),
    ],
    ids=["no host", "unknown tls mode", "password in clear to a remote host"],
)
def test_unusable_settings_are_refused_before_connecting(settings: Settings, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        SmtpSender(settings)

    assert caught.value.code == code
