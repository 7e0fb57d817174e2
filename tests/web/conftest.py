"""Browser fixtures: Debian's Chromium driven headless by Playwright (nothing downloaded), a real `dermfhir serve`
on a free port loaded with the demo data, and screenshots kept in `test-artifacts/` (git-ignored).

Tests skip when Chromium (`/usr/bin/chromium`, or `$DERMFHIR_CHROMIUM`) is not installed; `.ci/run` installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dermfhir.builders import transaction
from dermfhir.demo.dataset import DemoSize, resources
from tests.conftest import REPOSITORY
from tests.server.conftest import (  # noqa: F401 - fixtures used by the page tests
    LiveServer,
    client,
    definitions,
    make_client,
    start_server,
    validator,
)

CHROMIUM = os.environ.get("DERMFHIR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPOSITORY / "test-artifacts"
#: tokens of the token-auth server: a reviewer with user scopes, and an app scoped to one patient
REVIEWER_TOKEN = "reviewer-token-0123456789"
PATIENT_TOKEN = "patient-token-0123456789"
PATIENT = "demo-p01"


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    (folder / "demo.json").write_bytes(json.dumps(transaction(resources(DemoSize(patients=4)))).encode())
    return folder


@pytest.fixture(scope="module")
def server(demo_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("web") / "web.db"
    live = start_server(str(db), "--load", str(demo_folder))
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def token_server(demo_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("web-token")
    tokens = folder / "tokens.json"
    tokens.write_text(
        json.dumps(
            {
                "tokens": [
                    {"token": REVIEWER_TOKEN, "subject": "Practitioner/demo-clinician", "scope": "user/*.cruds"},
                    {"token": PATIENT_TOKEN, "subject": "app", "scope": "patient/*.rs", "patient": PATIENT},
                ]
            }
        )
    )
    live = start_server(str(folder / "web.db"), "--auth", "token", "--tokens", str(tokens), "--load", str(demo_folder))
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="session")
def browser_context() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    profile = tempfile.mkdtemp(prefix="dermfhir-chromium-")
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            # the pages' CSP forbids eval, which Playwright's wait_for_function needs; without the CSP the
            # escaping test also proves that data is written as text, not merely blocked from running
            bypass_csp=True,
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh tab; console errors and page errors fail the test; a screenshot is kept either way."""
    tab = browser_context.new_page()  # type: ignore[attr-defined]
    tab.set_default_timeout(20_000)
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    tab.problems = problems
    try:
        yield tab
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        finally:
            tab.close()
