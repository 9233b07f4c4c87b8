"""Serves the built frontend (``frontend/dist`` copied to ``tablekit/web/dist`` by the build)
with a strict Content-Security-Policy, falling back to ``index.html`` for client routes."""

import mimetypes
import re
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.response import File

from tablekit.errors import NotFound

DIST = Path(__file__).parent / "dist"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
RESERVED = ("api/", "hooks/", "healthz")


def security_headers(host: str) -> dict[str, str]:
    """The headers with the page's own host allowed for WebSockets (live updates): browsers
    that predate CSP 3 do not count ws:/wss: of the same host as 'self'."""
    if not HOST.match(host):
        return dict(SECURITY_HEADERS)
    csp = CSP.replace("connect-src 'self'", f"connect-src 'self' ws://{host} wss://{host}")
    return {**SECURITY_HEADERS, "Content-Security-Policy": csp}


NOT_BUILT = """<!doctype html><html><head><meta charset="utf-8"><title>TableKit</title></head>
<body><h1>TableKit</h1><p>The web app is not built. Run <code>make run</code> (it builds the
frontend), or use the API: <a href="/api/docs">/api/docs</a>.</p></body></html>"""


@get(["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False)
def spa(request: Request[Any, Any, Any], path: str = "") -> Any:
    """A file of the built app, or index.html so the client router can take the path."""
    headers = security_headers(request.headers.get("host", ""))
    path = path.lstrip("/")
    if path.startswith(RESERVED):
        raise NotFound("No such endpoint")
    if path:
        candidate = (DIST / path).resolve()
        if candidate.is_file() and DIST.resolve() in candidate.parents:
            if "/assets/" in f"/{path}":
                headers["Cache-Control"] = "public, max-age=31536000, immutable"
            media_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
            return File(
                path=candidate,
                headers=headers,
                content_disposition_type="inline",
                media_type=media_type,
            )
    index = DIST / "index.html"
    if index.is_file():
        return File(
            path=index,
            headers={**headers, "Cache-Control": "no-cache"},
            content_disposition_type="inline",
            media_type="text/html",
        )
    return Response(NOT_BUILT, media_type="text/html", headers=headers)
