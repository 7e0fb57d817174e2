"""Per-run state shared by the checks: options, the issue list, and the frame of the resource being walked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dermfhir.validation.outcome import Issue


@dataclass
class Options:
    """Validator switches (the names follow the HL7 validator's options)."""

    #: references to non-HL7 URLs cannot be fetched: report them as warnings, not errors
    standalone: bool = False
    #: assume RESTful references to resources that are not present resolve to valid targets
    assume_valid_rest_references: bool = False
    #: whether example URLs (example.org …) are allowed in extensions and references
    examples_allowed: bool = True
    #: how hard to check contained resources: "CHECK_VALID" (default) or "IGNORE"
    validate_contains: str = "CHECK_VALID"
    #: URL prefixes whose extensions are accepted (with a warning) when their definitions are not loaded, like the
    #: HL7 validator's `-extension` option. The guide's AI model Device carries HL7 AI Transparency extensions by
    #: their canonical URLs, whose package is not available offline (see the guide's conformance page).
    extension_domains: tuple[str, ...] = ("http://hl7.org/fhir/uv/aitransparency/",)
    #: upper bounds on work: nesting of JSON objects, size of the input as JSON text (bytes), issues reported
    max_depth: int = 64
    max_size: int = 64 * 1024 * 1024
    max_issues: int = 10_000
    #: messages ids (optionally `id@location`) and invariant `url#key` to drop from the outcome
    suppress: tuple[str, ...] = ()


@dataclass
class Frame:
    """A resource being walked: where it is, what contains it, the Bundle entry it came from."""

    resource: dict
    path: str
    container: Frame | None = None
    bundle: Any = None  # bundle.BundleIndex of the nearest enclosing Bundle
    full_url: str | None = None

    is_contained: bool = False

    @property
    def root(self) -> Frame:
        """The resource that contains this one (itself unless it is a contained resource): %rootResource."""
        frame = self
        while frame.is_contained and frame.container is not None:
            frame = frame.container
        return frame


@dataclass
class Run:
    """Issues collected during one validate() call."""

    options: Options
    issues: list[Issue] = field(default_factory=list)

    def add(self, severity: str, code: str, message: str, location: str, message_id: str = "") -> None:
        if len(self.issues) < self.options.max_issues:
            self.issues.append(Issue(severity, code, message, location, message_id))

    def error(self, code: str, message: str, location: str, message_id: str = "") -> None:
        self.add("error", code, message, location, message_id)

    def warning(self, code: str, message: str, location: str, message_id: str = "") -> None:
        self.add("warning", code, message, location, message_id)

    def info(self, code: str, message: str, location: str, message_id: str = "") -> None:
        self.add("information", code, message, location, message_id)
