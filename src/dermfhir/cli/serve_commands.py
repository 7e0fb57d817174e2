"""`dermfhir serve`: the FHIR server (FastAPI + uvicorn) on the embedded SQLite database or PostgreSQL.

No `--db` → `./dermfhir.db` (SQLite, WAL); `--db postgresql://…` → PostgreSQL. The schema is created and migrated
on start. `--auth none` (the default) binds only to the loopback interface; anything else needs `--auth token`
with a tokens file and/or a JWKS file. `--load PATH` and `--examples` store resources (validated, as transactions)
before serving. Exit 2 on a bad configuration.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dermfhir.server.config import MAX_BODY_BYTES, redact


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="run the FHIR R4 server (SQLite by default, or PostgreSQL)")
    serve.add_argument("--db", default="dermfhir.db", metavar="URL", help="SQLite path or postgresql:// URL")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--auth", choices=("none", "token"), default="none", help="none: loopback only")
    serve.add_argument("--tokens", type=Path, metavar="FILE", help="tokens file (JSON/YAML) for --auth token")
    serve.add_argument("--jwks", type=Path, metavar="FILE", help="JWKS file verifying JWT bearer tokens")
    serve.add_argument("--jwt-audience", metavar="AUD", help="required aud claim of JWTs")
    serve.add_argument("--jwt-issuer", metavar="ISS", help="required iss claim of JWTs")
    serve.add_argument("--base-url", metavar="URL", help="the public base URL (default: from each request)")
    serve.add_argument(
        "--max-body", type=int, default=MAX_BODY_BYTES // (1024 * 1024), metavar="MB", help="largest request body"
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument(
        "--statement-timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="longest a database statement may run before the request answers 503 (0: no limit)",
    )
    serve.add_argument(
        "--search-concurrency",
        type=int,
        metavar="N",
        help="searches run at once, more wait or answer 503 (default: the number of cores, at least 2)",
    )
    serve.add_argument(
        "--costly-search-concurrency",
        type=int,
        metavar="N",
        help="of those, costly searches (chains, _has, :contains, :text, _sort, includes, pages above the default "
        "size) run at once, more wait or answer 503 (default: half the cores, at least 1)",
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="longest a client may take to send headers",
    )
    serve.add_argument(
        "--load",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="store these Bundles / NDJSON / JSON files (or folders) before serving",
    )
    serve.add_argument(
        "--dicom-store",
        type=Path,
        metavar="DIR",
        help="DICOM instances for WADO-RS (dermfhir import dicom --dicom-store)",
    )
    serve.add_argument("--examples", action="store_true", help="store the guide's example resources before serving")
    serve.add_argument(
        "--site",
        type=Path,
        metavar="DIR",
        help="the guide's web site served at /ig/, built into DIR first when DIR has no index.html "
        "(default: ./site when `make site` made it, else a site built once into ~/.cache/dermfhir)",
    )
    serve.add_argument("--no-site", action="store_true", help="do not serve the guide's web site at /ig/")
    serve.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    serve.set_defaults(run=_serve)


def _serve(arguments: argparse.Namespace) -> int:
    import uvicorn

    from dermfhir.server import ServerConfig, check_binding, create_app
    from dermfhir.server.serving import protocol, tune_process

    try:
        check_binding(arguments.host, arguments.auth)
        if arguments.auth == "token" and not (arguments.tokens or arguments.jwks):
            raise ValueError("--auth token needs --tokens FILE and/or --jwks FILE")
        site = None if arguments.no_site else _site(arguments.site)
        arguments.no_site = site is None
        config = ServerConfig(
            db=arguments.db,
            auth=arguments.auth,
            tokens_file=arguments.tokens,
            jwks_file=arguments.jwks,
            jwt_audience=arguments.jwt_audience,
            jwt_issuer=arguments.jwt_issuer,
            base_url=arguments.base_url.rstrip("/") if arguments.base_url else None,
            max_body_bytes=arguments.max_body * 1024 * 1024,
            statement_timeout=arguments.statement_timeout or None,
            loopback_clients_only=arguments.auth == "none",
            header_timeout=arguments.header_timeout,
            site_folder=site,
            dicom_store=arguments.dicom_store,
        )
        if arguments.search_concurrency:
            config.search_concurrency = arguments.search_concurrency
        if arguments.costly_search_concurrency:
            config.costly_search_concurrency = arguments.costly_search_concurrency
        app = create_app(config)
    except ValueError as error:
        print(f"dermfhir serve: {error}", file=sys.stderr)
        return 2
    base = config.base_url or f"http://{_shown(arguments.host)}:{arguments.port}"
    if arguments.examples or arguments.load:
        from dermfhir.cli.load_commands import load_into_app

        paths = list(arguments.load)
        if arguments.examples:
            paths.insert(0, _examples_folder())
        if load_into_app(app, paths, base) != 0:
            return 1
    _banner(base, arguments)
    http = protocol(config.header_timeout)
    tune_process()
    if arguments.workers > 1:
        _export(config, arguments.host)
        app.state.services.store.close()
        uvicorn.run(
            "dermfhir.server.app:app_from_environment",
            factory=True,
            host=arguments.host,
            port=arguments.port,
            workers=arguments.workers,
            log_level=arguments.log_level,
            http=http,
        )
    else:
        uvicorn.run(app, host=arguments.host, port=arguments.port, log_level=arguments.log_level, http=http)
    return 0


def _site(folder: Path | None) -> Path | None:
    """The folder of the rendered guide site, built now when it has none; None (no /ig/) if it cannot be built.

    Without --site: ./site when `make site` made it, else a site cached under $XDG_CACHE_HOME/dermfhir (or
    ~/.cache/dermfhir), keyed by the content of the package, the pages and the site code: built once, reused.
    """
    if folder is None:
        folder = Path("site")
        if not (folder / "index.html").is_file():
            folder = _cached_site_folder()
    if (folder / "index.html").is_file():
        return folder
    from dermfhir.site import build_site
    from dermfhir.site.build import SiteError

    try:
        build_site(folder)
    except (SiteError, OSError) as error:
        print(f"dermfhir serve: the guide site is not served at /ig/: {error}", file=sys.stderr)
        return None
    return folder


def _cached_site_folder() -> Path:
    import hashlib

    from dermfhir.definitions.loader import GUIDE_PACKAGE_FOLDER
    from dermfhir.site.build import HERE, PAGES_FOLDER

    digest = hashlib.sha256()
    sources = [GUIDE_PACKAGE_FOLDER.glob("*.json"), PAGES_FOLDER.glob("*.md"), HERE.rglob("*.*")]
    for path in sorted(path for found in sources for path in found if path.is_file()):
        digest.update(path.name.encode() + path.read_bytes())
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dermfhir"
    return cache / f"site-{digest.hexdigest()[:16]}"


def _examples_folder() -> Path:
    from dermfhir.definitions import guide_package

    folder = getattr(guide_package(), "folder", None)
    return Path(folder) if folder else Path(__file__).resolve().parents[1] / "ig" / "package"


def _export(config: object, host: str) -> None:
    from dermfhir.server.config import ServerConfig

    assert isinstance(config, ServerConfig)
    values = {
        "DERMFHIR_DB": config.db,
        "DERMFHIR_AUTH": config.auth,
        "DERMFHIR_TOKENS": str(config.tokens_file or ""),
        "DERMFHIR_DICOM_STORE": str(config.dicom_store or ""),
        "DERMFHIR_JWKS": str(config.jwks_file or ""),
        "DERMFHIR_JWT_AUDIENCE": config.jwt_audience or "",
        "DERMFHIR_JWT_ISSUER": config.jwt_issuer or "",
        "DERMFHIR_BASE_URL": config.base_url or "",
        "DERMFHIR_HOST": host,
        "DERMFHIR_STATEMENT_TIMEOUT": str(config.statement_timeout or 0),
        "DERMFHIR_SITE": str(config.site_folder or ""),
        "DERMFHIR_SEARCH_CONCURRENCY": str(config.search_concurrency),
        "DERMFHIR_COSTLY_SEARCH_CONCURRENCY": str(config.costly_search_concurrency),
    }
    os.environ.update(values)


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _banner(base: str, arguments: argparse.Namespace) -> None:
    auth = "" if arguments.auth == "none" else ' -H "Authorization: Bearer $TOKEN"'
    print(f"dermfhir FHIR R4 server on {base} (database: {redact(arguments.db)}, auth: {arguments.auth})")
    if not arguments.no_site:
        print(f"The guide as a web site: {base}/ig/")
    print(f"Open the viewer and review console: {base}/ui/")
    print("Try:")
    print(f"  curl -s{auth} {base}/metadata | head -c 300")
    print(f"  curl -s{auth} '{base}/Observation?category=dermatology-annotation&_count=5'")
    print(f"  curl -s{auth} '{base}/Patient?_revinclude=Observation:subject&_count=2'")
    print(
        f"  curl -s{auth} '{base}/ConceptMap/$translate?system=https://annotatemd.com/fhir/ig/CodeSystem/"
        "isic-diagnosis&code=Seborrheic%20keratosis'"
    )
    sys.stdout.flush()
