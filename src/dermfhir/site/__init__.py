"""The guide as a static web site: every narrative page, profile, extension, code system, value set, concept map
and example of the compiled package rendered to HTML (Jinja2 templates, no network), plus a downloads page.

>>> from dermfhir.site import build_site  # doctest: +SKIP
>>> build_site(Path("site"))  # doctest: +SKIP

`check_site()` is the link and anchor checker run over the result (see `check.py` for what it does not check).
"""

from dermfhir.site.build import SiteReport, build_site
from dermfhir.site.check import check_html, check_links

__all__ = ["SiteReport", "build_site", "check_html", "check_links"]
