"""Build e-mails that cannot smuggle headers, and send them over SMTP.

Recipients and subjects usually come from row data or rendered templates, so a value like
``"a@b.c\\r\\nBcc: everyone@..."`` must be refused rather than folded into the message:
every address is parsed strictly (one ``local@domain``, optional display name) and any line
break is an ``EMAIL_INVALID`` error. A retried send carries the same ``Message-ID`` (derived
from the caller's idempotency key) so a duplicate can be recognised by the engine's outbox
and by receiving mail systems.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tablekit.errors import TooLarge, ValidationFailed
from tablekit.notify.errors import DeliveryFailed
from tablekit.settings import Settings

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
MAX_SUBJECT_CHARS = 998
TLS_MODES = ("none", "starttls", "tls")

_ADDRESS = re.compile(r"\s*(?:(?P<name>[^<>]*?)\s*<(?P<angle>[^<>]*)>|(?P<bare>[^<>\s]+))\s*")
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")

Attachment = tuple[str, str, bytes]  # (file name, MIME type, content)


def _invalid(message: str, **details: str) -> ValidationFailed:
    return ValidationFailed(message, code="EMAIL_INVALID", details=details)


def _has_control(value: str) -> bool:
    """Control characters, including C1 controls and the Unicode line/paragraph separators,
    which some mail software treats as line breaks."""
    return any(ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in "\u2028\u2029" for ch in value)


def parse_address(value: str) -> Address:
    """Parse ``"a@b.c"`` or ``"Name <a@b.c>"``; raises ValidationFailed(code="EMAIL_INVALID").

    Deliberately stricter than RFC 5322: no quoted local parts, comments or groups, and the
    domain must be a host name (IDNA allowed), which is what real mailboxes use.
    """
    if _has_control(value):
        raise _invalid(f"e-mail address {value[:100]!r} contains a line break or control character")
    match = _ADDRESS.fullmatch(value)
    if match is None:
        raise _invalid(f"{value[:100]!r} is not a single e-mail address", address=value[:100])
    spec = match["angle"] if match["angle"] is not None else match["bare"]
    name = (match["name"] or "").strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1]
    local, at, domain = spec.strip().rpartition("@")
    if not at or not _LOCAL_PART.fullmatch(local) or len(local) > 64:
        raise _invalid(f"{value[:100]!r} is not a valid e-mail address", address=value[:100])
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _invalid(f"{value[:100]!r} has an invalid domain", address=value[:100]) from None
    if not domain or not all(_DOMAIN_LABEL.fullmatch(label) for label in domain.split(".")):
        raise _invalid(f"{value[:100]!r} has an invalid domain", address=value[:100])
    return Address(display_name=name, username=local, domain=domain)


def _message_id(idempotency_key: str | None, domain: str) -> str:
    if idempotency_key is None:
        return make_msgid(domain=domain)
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<tk.{digest}@{domain}>"


def _file_name(name: str) -> str:
    if _has_control(name):
        raise _invalid(f"attachment name {name[:100]!r} contains a control character")
    clean = name.replace("/", "_").replace("\\", "_").strip()
    return clean or "attachment"


def build_message(
    sender: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    subject: str = "",
    text_body: str = "",
    html_body: str | None = None,
    attachments: Sequence[Attachment] = (),
    idempotency_key: str | None = None,
) -> EmailMessage:
    """A complete message: text body, optional HTML alternative, attachments.

    Raises ValidationFailed(code="EMAIL_INVALID") for a bad address, a subject with a line
    break, a bad MIME type or no recipients; TooLarge(code="EMAIL_TOO_LARGE") past 25 MiB.
    The same ``idempotency_key`` always yields the same ``Message-ID``.
    """
    if isinstance(to, str):
        to = [to]
    if isinstance(cc, str):
        cc = [cc]
    from_address = parse_address(sender)
    recipients = [parse_address(value) for value in to]
    copies = [parse_address(value) for value in cc]
    if not recipients and not copies:
        raise _invalid("an e-mail needs at least one recipient")
    if _has_control(subject.replace("\t", " ")) or len(subject) > MAX_SUBJECT_CHARS:
        raise _invalid("the subject must be one line of at most 998 characters")
    message = EmailMessage()
    message["From"] = from_address
    if recipients:
        message["To"] = recipients
    if copies:
        message["Cc"] = copies
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = _message_id(idempotency_key, from_address.domain)
    # RFC 3834: tells vacation responders not to answer, which stops mail loops.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text_body)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    for file_name, mime_type, content in attachments:
        if not _MIME_TYPE.fullmatch(mime_type.lower()):
            raise _invalid(f"attachment type {mime_type[:100]!r} is not a MIME type")
        maintype, subtype = mime_type.lower().split("/")
        message.add_attachment(
            content, maintype=maintype, subtype=subtype, filename=_file_name(file_name)
        )
    if len(message.as_bytes()) > MAX_MESSAGE_BYTES:
        raise TooLarge(
            f"the e-mail is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB",
            code="EMAIL_TOO_LARGE",
        )
    return message


def smtp_configured(settings: Settings) -> bool:
    """True when mail should go to an SMTP server; otherwise it stays in the in-app outbox."""
    return bool(settings.smtp_host.strip())


@dataclass(frozen=True)
class SentMail:
    """The accepted message's ID and the recipients the server refused (address → reply)."""

    message_id: str
    refused: dict[str, str]


def _replies(refused: dict[str, tuple[int, bytes]]) -> dict[str, str]:
    return {
        addr: f"{code} {text.decode(errors='replace')}" for addr, (code, text) in refused.items()
    }


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class SmtpSender:
    """Sends messages to the SMTP server from settings (plain, STARTTLS or implicit TLS).

    ``timeout`` (seconds) applies to connecting and to each reply. ``ssl_context`` defaults
    to the system trust store with host name checking; tests pass one that trusts their
    own certificate.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        timeout: float = 10.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if not smtp_configured(settings):
            raise ValidationFailed("SMTP is not configured", code="SMTP_NOT_CONFIGURED")
        self.mode = settings.smtp_tls.strip().lower()
        if self.mode not in TLS_MODES:
            raise ValidationFailed(
                f"TABLEKIT_SMTP_TLS must be one of {', '.join(TLS_MODES)}",
                code="SMTP_SETTINGS_INVALID",
            )
        self.host = settings.smtp_host.strip()
        if settings.smtp_user and self.mode == "none" and not _is_loopback(self.host):
            raise ValidationFailed(
                "refusing to send the SMTP password unencrypted; set TABLEKIT_SMTP_TLS to "
                "starttls or tls",
                code="SMTP_SETTINGS_INVALID",
            )
        self.port = settings.smtp_port
        self.user = settings.smtp_user
        self.password = settings.smtp_password
        self.timeout = timeout
        self.context = ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.mode == "tls":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.context
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def send(self, message: EmailMessage) -> SentMail:
        """Deliver ``message`` to its To and Cc recipients; raises DeliveryFailed.

        ``DeliveryFailed.retryable`` is True for connection problems and 4xx replies, False
        for 5xx replies, failed login and TLS errors.
        """
        try:
            with self._connect() as smtp:
                if self.mode == "starttls":
                    smtp.starttls(context=self.context)
                if self.user:
                    smtp.login(self.user, self.password)
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            replies = _replies(exc.recipients)
            raise DeliveryFailed(
                "the SMTP server refused every recipient",
                code="SMTP_RECIPIENTS_REFUSED",
                retryable=all(400 <= code < 500 for code, _ in exc.recipients.values()),
                details={"refused": replies},
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryFailed(
                f"SMTP login failed: {exc.smtp_code}", code="SMTP_AUTH_FAILED", retryable=False
            ) from None
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            raise DeliveryFailed(
                f"SMTP server answered {exc.smtp_code} {text}",
                code="SMTP_REJECTED",
                retryable=400 <= exc.smtp_code < 500,
            ) from None
        except (ssl.SSLError, smtplib.SMTPNotSupportedError) as exc:
            raise DeliveryFailed(
                f"SMTP TLS failed: {exc}", code="SMTP_TLS_FAILED", retryable=False
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(
                f"cannot reach SMTP server {self.host}:{self.port}: {type(exc).__name__}: {exc}",
                code="SMTP_CONNECTION_FAILED",
                retryable=True,
            ) from None
        return SentMail(message_id=str(message["Message-ID"]), refused=_replies(refused))
