"""Serves the built frontend (``frontend/dist`` copied to ``tablekit/web/dist`` by the build)
with a strict Content-Security-Policy, falling back to ``index.html`` for client routes."""

import mimetypes
from pathlib import Path
from typing import Any

from litestar import Response, get
from litestar.response import File

from tablekit.errors import NotFound

DIST = Path(__file__).parent / "dist"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
RESERVED = ("api/", "hooks/", "healthz")

NOT_BUILT = """<!doctype html><html><head><meta charset="utf-8"><title>TableKit</title></head>
<body><h1>TableKit</h1><p>The web app is not built. Run <code>make run</code> (it builds the
frontend), or use the API: <a href="/api/docs">/api/docs</a>.</p></body></html>"""


@get(["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False)
def spa(path: str = "") -> Any:
    """A file of the built app, or index.html so the client router can take the path."""
    path = path.lstrip("/")
    if path.startswith(RESERVED):
        raise NotFound("No such endpoint")
    if path:
        candidate = (DIST / path).resolve()
        if candidate.is_file() and DIST.resolve() in candidate.parents:
            headers = dict(SECURITY_HEADERS)
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
            headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"},
            content_disposition_type="inline",
            media_type="text/html",
        )
    return Response(NOT_BUILT, media_type="text/html", headers=SECURITY_HEADERS)
