"""Checks of a rendered site: every internal link and anchor resolves, and every page parses as HTML5 without errors.

Checked: `href` and `src` of every element in every `.html` file that point inside the site (relative URLs),
including `#fragment` anchors (an element with that `id`, or an `<a name>`). Not checked: external links (no
network), links inside `<pre>` text, CSS `url()` references.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in ("href", "src"):
                self.links.append(value)


def check_links(folder: Path) -> list[str]:
    """Every broken internal link or anchor of the site in `folder`, as `page: link (reason)`."""
    pages: dict[str, _Collector] = {}
    for path in sorted(folder.rglob("*.html")):
        collector = _Collector()
        collector.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(folder).as_posix()] = collector
    problems = []
    for page, collector in pages.items():
        for link in collector.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("mailto:"):
                continue
            base = Path(page).parent
            target = (base / unquote(parts.path)).as_posix() if parts.path else page
            target = Path(target).as_posix()
            if parts.path and not (folder / target).is_file():
                problems.append(f"{page}: {link} (no such file)")
                continue
            if parts.fragment:
                ids = pages[target].ids if target in pages else set()
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{page}: {link} (no anchor #{parts.fragment})")
    return problems


def check_html(folder: Path, workers: int | None = None) -> list[str]:
    """Every HTML5 parse error (html5lib) of the pages in `folder`, as `page:line: error`; the pages are parsed in
    `workers` processes (default: one per CPU)."""
    paths = sorted(folder.rglob("*.html"))
    count = workers or os.cpu_count() or 1
    if count == 1 or len(paths) < 8:
        results = [_parse_errors(path) for path in paths]
    else:
        with ProcessPoolExecutor(max_workers=count) as pool:
            results = list(pool.map(_parse_errors, paths, chunksize=max(1, len(paths) // (count * 4))))
    return [
        f"{path.relative_to(folder).as_posix()}:{error}"
        for path, errors in zip(paths, results, strict=True)
        for error in errors
    ]


def _parse_errors(path: Path) -> list[str]:
    """The parse errors of one page: what a strict html5lib parser would raise on, each as `line: code data`."""
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    parser.parse(path.read_bytes(), transport_encoding="utf-8")
    return [f"{position[0]}: {code} {data or ''}" for position, code, data in parser.errors]
