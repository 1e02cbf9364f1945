"""Private files: uploads that only some users may read (request attachments, later repair
photos and signatures). They live under PRIVATE_MEDIA_ROOT, outside the web root and outside
MEDIA_ROOT, and leave the server only through `serve_private_file`, called by a view that has
already checked who asks.

Served bytes never run in our origin: every response is `nosniff` with a sandboxing CSP, and
anything that a browser could execute or render as a page (HTML, SVG, XML, scripts, unknown
types) is sent as a download under a neutral content type.
"""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING

from django.core.files.storage import Storage, storages
from django.http import FileResponse

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

# Shown inline (in an <img>, <audio>, a PDF viewer); everything else is a download.
INLINE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "audio/x-wav",
        "audio/webm",
        "video/mp4",
        "video/webm",
        "application/pdf",
        "text/plain",
    }
)


def private_storage() -> Storage:
    return storages["private"]


def guess_content_type(name: str, declared: str = "") -> str:
    """The type to record for an upload: the browser's claim when it is a plain `type/subtype`,
    else a guess from the name; never trusted for serving (see `serve_private_file`)."""
    declared = (declared or "").split(";")[0].strip().lower()
    if declared.count("/") == 1 and len(declared) <= 100 and declared.isascii():
        return declared
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def serve_private_file(file: FieldFile, *, name: str, content_type: str) -> FileResponse:
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        file.open("rb"),
        as_attachment=not inline,
        filename=name,
        content_type=content_type if inline else "application/octet-stream",
    )
    if content_type == "text/plain":
        response["Content-Type"] = "text/plain; charset=utf-8"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
