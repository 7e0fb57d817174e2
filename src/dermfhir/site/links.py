"""Page names and links between the pages of the site: a canonical URL, a literal reference (`Patient/x`) or a
coding of one of the guide's code systems becomes a relative link to its page; anything else stays plain text."""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

_UNSAFE_ANCHOR = re.compile(r"[^A-Za-z0-9_.:\[\]-]")


def anchor(text: str) -> str:
    """An HTML id made of `text` (element ids like `Observation.component:skinFinding` stay readable)."""
    return _UNSAFE_ANCHOR.sub("_", text)


class Linker:
    """Knows every resource of the guide and the page that shows it."""

    def __init__(self, resources: list[dict]) -> None:
        self.by_url: dict[str, dict] = {}
        self.by_reference: dict[str, dict] = {}
        for resource in resources:
            self.by_reference[f"{resource['resourceType']}/{resource['id']}"] = resource
            if isinstance(resource.get("url"), str):
                self.by_url[resource["url"]] = resource

    @staticmethod
    def page(resource: dict) -> str:
        """`{ResourceType}-{id}.html`, as the published site names its pages."""
        return f"{resource['resourceType']}-{resource['id']}.html"

    @staticmethod
    def json_page(resource: dict) -> str:
        return f"{resource['resourceType']}-{resource['id']}.json.html"

    def resolve(self, target: str) -> dict | None:
        """The resource a canonical (`url|version` allowed) or a literal reference points to, if in the guide."""
        if not isinstance(target, str):
            return None
        return self.by_url.get(target.split("|")[0]) or self.by_reference.get(target)

    def href(self, target: str) -> str | None:
        resource = self.resolve(target)
        return self.page(resource) if resource is not None else None

    def code_href(self, system: str | None, code: str | None) -> str | None:
        """The concept's anchor on its CodeSystem page, when the code system is one of the guide's."""
        resource = self.by_url.get(system or "")
        if resource is None or resource.get("resourceType") != "CodeSystem" or not code:
            return None
        return f"{self.page(resource)}#{anchor(resource['id'] + '-' + code)}"

    def title(self, target: str) -> str:
        resource = self.resolve(target)
        if resource is None:
            return target
        return str(resource.get("title") or resource.get("name") or resource["id"])

    def link_html(self, target: object, text: object = None) -> Markup:
        """`<a>` to the page of `target` when the guide has it, else the escaped text."""
        label = escape(str(text if text is not None else target))
        href = self.href(target) if isinstance(target, str) else None
        if href is None:
            return Markup(f"<code>{label}</code>" if text is None else label)
        return Markup(f'<a href="{escape(href)}">{label}</a>')
