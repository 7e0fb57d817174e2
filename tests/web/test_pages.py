"""The viewer's routes without a browser: page shells with a strict CSP, static assets, and the root URL sent
to the viewer only for browsers (FHIR clients keep the system search)."""

from __future__ import annotations

import re

import pytest

from dermfhir.web import FOLDER


def test_pages_are_shells_with_a_strict_policy(client) -> None:
    for path in ("/ui/", "/ui/review", "/ui/models", "/ui/signin", "/ui/image/img-1", "/ui/lesion/l.1"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe" not in policy and "frame-ancestors 'none'" in policy
        assert '<script type="module" src="/ui/static/js/' in response.text
    assert client.get("/ui", follow_redirects=False).headers["location"] == "/ui/"


@pytest.mark.parametrize(
    "path", ["/ui/nothing", "/ui/image/bad%20id", "/ui/image/" + "x" * 65, "/ui/patients/p1", "/ui/static/js/none.js"]
)
def test_unknown_pages_are_404(client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_ids_in_the_path_are_escaped_into_the_shell(client) -> None:
    # only ids of FHIR's shape are accepted, and what is echoed is autoescaped
    response = client.get("/ui/image/a-b.c")
    assert 'data-resource-id="a-b.c"' in response.text
    assert client.get('/ui/image/"><script>').status_code == 404


def test_static_assets_are_local(client) -> None:
    for path in sorted((FOLDER / "static").rglob("*.*")):
        relative = path.relative_to(FOLDER / "static").as_posix()
        response = client.get(f"/ui/static/{relative}")
        assert response.status_code == 200
        text = response.text
        # modules import only each other; nothing is fetched from elsewhere; data never goes through innerHTML
        assert all(spec.startswith("./") for spec in re.findall(r'^import .*?from "([^"]+)"', text, re.M | re.S))
        assert not re.search(r"""fetch\(\s*["'`]https?:""", text)
        assert not re.search(r"@import|url\(\s*['\"]?https?:", text)
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "document.write" not in text
    assert (
        client.get("/ui/static/js/api.js")
        .headers["content-type"]
        .startswith(("text/javascript", "application/javascript"))
    )
    assert client.get("/ui/static/css/app.css").headers["content-type"].startswith("text/css")


def test_root_opens_the_viewer_for_browsers_only(client) -> None:
    browser = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/ui/"
    for accept in ("application/fhir+json", "*/*", None):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/", headers=headers, follow_redirects=False)
        assert response.status_code == 200 and response.json()["resourceType"] == "Bundle"
    # a browser asking for a search still gets the search
    assert client.get("/?_type=Patient", headers={"Accept": "text/html"}).json()["resourceType"] == "Bundle"
