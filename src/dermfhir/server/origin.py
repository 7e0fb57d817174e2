"""Where requests come from and which address links point to, decided once for every route (the FHIR API, images,
DICOMweb, Bulk Data status and files, the web UI, the guide site).

- `base_url`: links and `Location` use `--base-url` when given, else the address the server listens on — never the
  client's Host header, which any client may set (host-header injection).
- `LoopbackOnly`: with authentication off, only clients on the loopback interface are served. A pure ASGI
  middleware, so that it covers routes added by any module and leaves streaming and disconnect detection alone.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from dermfhir.server.config import LOOPBACK, ServerConfig

__all__ = ["LoopbackOnly", "base_url"]


def base_url(request: Request, config: ServerConfig) -> str:
    """The base URL of this server as links should show it."""
    if config.base_url:
        return config.base_url.rstrip("/")
    server = request.scope.get("server") or ("localhost", None)
    host, port = str(server[0]), server[1]
    scheme = request.scope.get("scheme", "http")
    shown = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}.get(scheme)
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{scheme}://{shown}{'' if port in (None, default) else f':{port}'}{root}"


class LoopbackOnly:
    """Refuse (403, an OperationOutcome) every HTTP request whose client is not on the loopback interface."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client: Any = scope.get("client")
        if scope["type"] == "http" and (client is None or client[0] not in LOOPBACK):
            body = orjson.dumps(
                {
                    "resourceType": "OperationOutcome",
                    "issue": [
                        {
                            "severity": "error",
                            "code": "forbidden",
                            "diagnostics": "This server runs without authentication and serves local clients only",
                        }
                    ],
                }
            )
            headers = [
                (b"content-type", b"application/fhir+json; charset=utf-8"),
                (b"content-length", b"%d" % len(body)),
            ]
            await send({"type": "http.response.start", "status": 403, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
