"""Server fixtures: every test taking `client` runs on SQLite, and on PostgreSQL when DERMFHIR_TEST_POSTGRES is set.

`live_server` starts a real `dermfhir serve` process on 127.0.0.1 and a free port (always stopped afterwards).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest

from dermfhir.definitions import Definitions
from dermfhir.server import ServerConfig, create_app
from dermfhir.store import Store
from dermfhir.validation import Validator
from tests.conftest import POSTGRES_URL, open_postgres

with warnings.catch_warnings():  # starlette warns about its httpx-based client on import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FHIR = {"Content-Type": "application/fhir+json"}


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    return Definitions.default()


@pytest.fixture(scope="session")
def validator(definitions: Definitions) -> Validator:
    return Validator(definitions)


@pytest.fixture
def make_client(store: Store, definitions: Definitions, validator: Validator) -> Callable[..., TestClient]:
    """A TestClient over the test store, with a ServerConfig made of the given keyword arguments."""

    def make(**config: object) -> TestClient:
        app = create_app(ServerConfig(**config), store=store, definitions=definitions, validator=validator)  # type: ignore[arg-type]
        return TestClient(app, base_url="http://testserver", raise_server_exceptions=False)

    return make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    db: str
    log: IO[bytes]

    def stop(self, kill: bool = False) -> None:
        try:
            self._stop(kill)
        finally:
            self.log.close()

    def _stop(self, kill: bool) -> None:
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_server(db: str, *extra: str) -> LiveServer:
    """`dermfhir serve` in a child process, waiting until /metadata answers."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "dermfhir.cli.main",
        "serve",
        "--db",
        db,
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--log-level",
        "warning",
        *extra,
    ]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by LiveServer.stop
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    server = LiveServer(f"http://127.0.0.1:{port}", process, db, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            text = log.read().decode(errors="replace")
            server.stop()
            raise RuntimeError(f"dermfhir serve exited: {text[-2000:]}")
        try:
            if httpx.get(f"{server.url}/metadata", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop(kill=True)
    raise RuntimeError("dermfhir serve did not start within 60 s")


@pytest.fixture
def live_db(backend: str, tmp_path: Path, definitions: Definitions) -> str:
    if backend == "postgres":
        open_postgres(definitions).close()
        assert POSTGRES_URL is not None
        return POSTGRES_URL
    return str(tmp_path / "live.db")


@pytest.fixture
def live_server(live_db: str) -> Iterator[LiveServer]:
    server = start_server(live_db)
    try:
        yield server
    finally:
        server.stop()
