"""The image bytes behind a DocumentReference or Media: `GET /images/{type}/{id}` and `…/{id}/thumbnail`.

The image is the first attachment of the resource (`DocumentReference.content[0].attachment`, `Media.content`):
inline `data`, or a `url` naming a Binary held by this server (`Binary/{id}`, or the same under the server's base
URL). Access is decided as for the resources themselves: read on the DocumentReference / Media (patient compartment
included) and, for a Binary, read on the Binary. The bytes are served only when Pillow recognises them as a raster
image of a listed format, with the content type of what they are (not what the attachment claims), `nosniff` and a
CSP forbidding everything: a stored HTML or SVG page can never run in a reviewer's browser.
Thumbnails (at most `THUMBNAIL_SIZE` pixels a side; JPEG, or PNG for images with transparency or a palette, so
that masks stay masks) are made once per resource version and kept in a bounded in-memory cache.
Not supported: fetching external URLs (a server must not be made to fetch arbitrary addresses), `#contained`
attachments, DICOM (see the DICOMweb routes), ranges.
"""

from __future__ import annotations

import base64
import binascii
import io
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass

from PIL import Image

from dermfhir.server.context import Context
from dermfhir.server.errors import ResourceNotFound, Unprocessable

IMAGE_TYPES = ("DocumentReference", "Media")
THUMBNAIL_SIZE = 256
#: Pillow format → the media type served for it.
FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
#: Largest image decoded for a thumbnail (pixels); larger ones are refused rather than risk a decompression bomb.
MAX_PIXELS = 64_000_000
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, max-age=300",
}


@dataclass(frozen=True)
class ImageBytes:
    """What an image route answers: the bytes, their media type and an ETag naming the versions they came from."""

    content: bytes
    media_type: str
    etag: str


class ThumbnailCache:
    """Thumbnails by (type, id, version, source version), least recently used dropped past `max_bytes`."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, ...], ImageBytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.made = 0  # thumbnails generated (not served from the cache)

    def get(self, key: tuple[str, ...]) -> ImageBytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, ...], value: ImageBytes) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._size += len(value.content)
            self.made += 1
            while self._size > self.max_bytes and len(self._items) > 1:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped.content)


def image(ctx: Context, resource_type: str, resource_id: str, *, thumbnail: bool, cache: ThumbnailCache) -> ImageBytes:
    """The image (or its thumbnail) behind `resource_type/resource_id`, after the caller's access is checked."""
    if resource_type not in IMAGE_TYPES:
        raise ResourceNotFound(f"Images are served for {' and '.join(IMAGE_TYPES)} only", code="not-supported")
    ctx.access.require(resource_type, "read")
    resource = ctx.store.read(resource_type, resource_id)
    ctx.access.check(resource, "read")
    attachment = _attachment(resource)
    data, source_version = _bytes(ctx, attachment, f"{resource_type}/{resource_id}")
    version = str(resource.get("meta", {}).get("versionId", ""))
    etag = f'W/"{version}.{source_version}{".thumb" if thumbnail else ""}"'
    if not thumbnail:
        return ImageBytes(data, _media_type(data), etag)
    key = (resource_type, resource_id, version, source_version)
    found = cache.get(key)
    if found is None:
        found = ImageBytes(*_thumbnail(data), etag)
        cache.put(key, found)
    return found


def _attachment(resource: dict) -> dict:
    if resource["resourceType"] == "Media":
        attachment = resource.get("content")
    else:
        contents = resource.get("content") or []
        attachment = next(
            (
                c.get("attachment")
                for c in contents
                if str(c.get("attachment", {}).get("contentType", "")).startswith("image/")
            ),
            (contents[0].get("attachment") if contents else None),
        )
    if not isinstance(attachment, dict):
        raise ResourceNotFound(f"{resource['resourceType']}/{resource['id']} has no attachment")
    return attachment


def _bytes(ctx: Context, attachment: dict, label: str) -> tuple[bytes, str]:
    """The attachment's bytes and a version tag of where they came from (inline data: '0')."""
    if attachment.get("data"):
        return _decode(attachment["data"], label), "0"
    url = str(attachment.get("url") or "")
    binary_id = _binary_id(url, ctx.base)
    if binary_id is None:
        raise ResourceNotFound(
            f"The image of {label} is not held by this server (its attachment url is not a Binary here)"
        )
    ctx.access.require("Binary", "read")
    binary = ctx.store.read("Binary", binary_id)
    ctx.access.check(binary, "read")
    if not binary.get("data"):
        raise ResourceNotFound(f"Binary/{binary_id} holds no data")
    return _decode(binary["data"], f"Binary/{binary_id}"), str(binary.get("meta", {}).get("versionId", ""))


def _binary_id(url: str, base: str) -> str | None:
    if base and url.startswith(base.rstrip("/") + "/"):
        url = url[len(base.rstrip("/")) + 1 :]
    kind, _, rest = url.partition("/")
    if kind != "Binary" or not rest:
        return None
    binary_id = rest.split("/_history/")[0]
    if not binary_id or len(binary_id) > 64 or not all(c.isalnum() or c in "-." for c in binary_id):
        return None
    return binary_id


def _decode(data: str, label: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Unprocessable(f"The image data of {label} is not valid base64") from None


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
            if picture.width * picture.height > MAX_PIXELS:
                raise Unprocessable(f"The image is too large to be shown ({picture.width}×{picture.height} pixels)")
            return picture
    except Unprocessable:
        raise
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Unprocessable("The stored content is not an image this server can show", code="not-supported") from None


def _media_type(data: bytes) -> str:
    media = FORMATS.get(_open(data).format or "")
    if media is None:
        raise Unprocessable("The stored content is not an image of a format this server shows", code="not-supported")
    return media


def _thumbnail(data: bytes) -> tuple[bytes, str]:
    picture = _open(data)
    if (picture.format or "") not in FORMATS:
        raise Unprocessable("The stored content is not an image of a format this server shows", code="not-supported")
    try:
        picture.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        out = io.BytesIO()
        if picture.mode in ("P", "PA", "RGBA", "LA", "1", "I;16") or "transparency" in picture.info:
            picture.save(out, "PNG", optimize=True)
            return out.getvalue(), "image/png"
        picture.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg"
    except (OSError, ValueError):
        raise Unprocessable("The stored image cannot be decoded", code="not-supported") from None
