"""Outgoing messages: e-mail over SMTP, and HTTP requests to user-given URLs.

Everything here is a pure building block without a database: the automation engine decides
when to send, keeps the outbox and run log, and retries. This package makes each single send
safe: the SSRF guard (:mod:`.ssrf`) decides which URLs may be reached, :mod:`.http` connects
only to the address the guard approved, :mod:`.signing` signs webhook bodies, and
:mod:`.email` builds mails that cannot smuggle headers.
"""
