"""WeasyPrint's side of PDF rendering: the deny-by-default URL fetcher and the render call.

Kept apart from :mod:`.pdf` so the server process, which only starts renderer processes,
never loads WeasyPrint and its C libraries; only the renderer process imports this module.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

import weasyprint  # noqa: TID251 - tablekit.documents is where WeasyPrint lives
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: TID251

from tablekit.documents.pdf import FILE_ID

logger = logging.getLogger(__name__)

MAX_DATA_URI_BYTES = 10 * 1024 * 1024
# Relative URLs are joined to this base, which exists only as a marker: nothing under it
# is ever fetched over the network (.invalid never resolves, and nothing here resolves).
BASE_URL = "https://files.tablekit.invalid/"
_FILE_URL = re.compile(
    r"(?:tablekit-file:|" + re.escape(BASE_URL) + r"api/v1/files/)([^/?#]+)(?:[?#].*)?",
    re.DOTALL,
)


class DenyingFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint ships no type hints
    """Serves ``data:`` URIs and attachments ``authorise(file_id)`` returns; refuses the rest.

    Refusal raises inside WeasyPrint's fetch, which logs it and leaves the resource out, so
    the document still renders. Nothing reaches urllib: :meth:`fetch` never calls the base.
    """

    def __init__(self, authorise: Callable[[str], tuple[bytes, str] | None]) -> None:
        super().__init__(allow_redirects=False, fail_on_errors=False)
        self._authorise = authorise
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            content, mime = _decode_data_uri(url)
            return URLFetcherResponse(url, content, {"Content-Type": mime})
        match = _FILE_URL.fullmatch(url)
        if match is not None and FILE_ID.fullmatch(match[1]):
            found = self._authorise(match[1])
            if found is not None:
                return URLFetcherResponse(url, found[0], {"Content-Type": found[1]})
        self.refused.append(url[:200])
        logger.warning("document resource refused: %s", url[:200])
        raise ValueError(f"resource not allowed in documents: {url[:200]}")

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # The base class's urllib entry point: route it through the same check.
        return self.fetch(url if isinstance(url, str) else url.full_url)


def _decode_data_uri(url: str) -> tuple[bytes, str]:
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise ValueError("malformed data: URI")
    if len(payload) > MAX_DATA_URI_BYTES * 4 // 3 + 4:
        raise ValueError("data: URI too large")
    params = [part.strip().lower() for part in header.split(";")]
    mime = params[0] or "text/plain"
    content = unquote_to_bytes(payload)
    if "base64" in params[1:]:
        content = base64.b64decode(content)
    return content, mime


def write_pdf(
    html: str, css: str | None, authorise: Callable[[str], tuple[bytes, str] | None]
) -> bytes:
    """WeasyPrint render with the denying fetcher for the page and its stylesheet."""
    fetcher = DenyingFetcher(authorise)
    stylesheets = []
    if css:
        stylesheets.append(weasyprint.CSS(string=css, base_url=BASE_URL, url_fetcher=fetcher))
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=stylesheets, presentational_hints=True)
    return pdf
