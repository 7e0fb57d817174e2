"""The web viewer and review console: page shells (Jinja2) and static scripts and styles, served under `/ui/`.

Pages hold no data: every script reads and writes through the server's own FHIR REST API and operations with
`fetch` (and the bearer token the user signed in with, kept in the tab's sessionStorage), like any other client.
Scripts build the page with DOM calls and `textContent` only, never by parsing data as HTML, and every page is
served with a Content-Security-Policy allowing scripts from this server alone.
Not supported: SMART App Launch (tokens are pasted on the sign-in page), offline use, browsers without ES modules.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

FOLDER = Path(__file__).parent
PREFIX = "/ui"
#: page name → (template, title)
PAGES = {
    "": ("list.html", "Patients and lesions"),
    "review": ("review.html", "Review console"),
    "models": ("models.html", "AI models"),
    "signin": ("signin.html", "Sign in"),
}
#: pages about one resource: name → (template, title)
RESOURCE_PAGES = {
    "image": ("image.html", "Image"),
    "lesion": ("lesion.html", "Lesion timeline"),
}
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

_environment = Environment(
    loader=FileSystemLoader(FOLDER / "templates"), autoescape=select_autoescape(default=True), auto_reload=False
)


def render(name: str, **values: object) -> str:
    """A page shell (autoescaped)."""
    return _environment.get_template(name).render(prefix=PREFIX, **values)


def wants_page(method: str, path: str, accept: str | None, has_query: bool) -> bool:
    """True for a browser opening the server's root: it is sent to the viewer instead of a FHIR search."""
    if method.upper() != "GET" or path.strip("/") or has_query:
        return False
    first = (accept or "").split(",")[0].split(";")[0].strip().lower()
    return first == "text/html"


def mount(app: FastAPI) -> None:
    """Add the viewer's routes (`/ui/…`, `/ui/static/…`) to `app`; call before the catch-all FHIR route."""
    app.mount(f"{PREFIX}/static", StaticFiles(directory=FOLDER / "static"), name="ui-static")

    @app.get(f"{PREFIX}", include_in_schema=False)
    async def ui_root() -> Response:
        return RedirectResponse(f"{PREFIX}/", status_code=308)

    @app.get(f"{PREFIX}/{{page}}", include_in_schema=False)
    async def ui_page(request: Request, page: str) -> Response:
        if page not in PAGES:
            return _missing()
        template, title = PAGES[page]
        return _page(template, title, page)

    @app.get(f"{PREFIX}/", include_in_schema=False)
    async def ui_home(request: Request) -> Response:
        template, title = PAGES[""]
        return _page(template, title, "")

    @app.get(f"{PREFIX}/{{page}}/{{resource_id}}", include_in_schema=False)
    async def ui_resource(page: str, resource_id: str) -> Response:
        if page not in RESOURCE_PAGES or not _ID.match(resource_id):
            return _missing()
        template, title = RESOURCE_PAGES[page]
        return _page(template, title, page, resource_id)


def _page(template: str, title: str, page: str, resource_id: str = "") -> HTMLResponse:
    return HTMLResponse(render(template, title=title, page=page, resource_id=resource_id), headers=HEADERS)


def _missing() -> HTMLResponse:
    return HTMLResponse(render("missing.html", title="Not found", page="", resource_id=""), 404, headers=HEADERS)
