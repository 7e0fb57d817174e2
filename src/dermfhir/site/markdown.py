"""Markdown pages → HTML (markdown-it-py, CommonMark plus tables), each heading given an id for anchors."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """The anchor of a heading: lower case words joined by hyphens ("AI Transparency" → "ai-transparency")."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or "section"


def render(source: str) -> str:
    """HTML of the markdown `source`; raw HTML in the source is escaped, never passed through."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(source)
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            text = tokens[index + 1].content
            base = slug(text)
            count = seen.get(base, 0)
            seen[base] = count + 1
            token.attrSet("id", base if count == 0 else f"{base}-{count}")
    return str(parser.renderer.render(tokens, parser.options, {}))
