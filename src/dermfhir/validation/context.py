"""Per-run state shared by the checks: options, the issue list, and the frame of the resource being walked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dermfhir.validation.messages import MessageId
from dermfhir.validation.outcome import Issue, IssueType


@dataclass
class Options:
    """Validator switches (the names follow the HL7 validator's options)."""

    #: references to non-HL7 URLs cannot be fetched: report them as warnings, not errors
    standalone: bool = False
    #: HTML tags in string values: an error (True, the HL7 validator's `-security-checks`) or information (False)
    security_checks: bool = False
    #: HTML tags in markdown values: "error", "warning" (default, as the HL7 validator) or "none"
    html_in_markdown: str = "warning"
    #: how references are checked, by the HL7 validator's ReferenceValidationPolicy names: "IGNORE" (no check of
    #: targets), "CHECK_TYPE_IF_EXISTS" (default: the type of a target that resolves or whose URL names its type),
    #: "CHECK_EXISTS", "CHECK_EXISTS_AND_TYPE", "CHECK_VALID" (also: a relative reference that resolves neither in
    #: the instance, its Bundle nor the loaded resources is an error; nothing is fetched from servers)
    validate_reference: str = "CHECK_TYPE_IF_EXISTS"
    #: whether example URLs (example.org …) are allowed in extensions and references
    examples_allowed: bool = True
    #: how hard to check contained resources: "CHECK_VALID" (default) or "IGNORE"
    validate_contains: str = "CHECK_VALID"
    #: URL prefixes whose extensions are accepted (with a warning) when their definitions are not loaded, like the
    #: HL7 validator's `-extension` option. The guide's AI model Device carries HL7 AI Transparency extensions by
    #: their canonical URLs, whose package is not available offline (see the guide's conformance page).
    extension_domains: tuple[str, ...] = ("http://hl7.org/fhir/uv/aitransparency/",)
    #: upper bounds on work: nesting of JSON objects; size of one resource as JSON text in bytes (None: no limit;
    #: large Bundles and NDJSON files are validated entry by entry, see `stream`); issues listed (errors are always
    #: counted and take the place of warnings when the listing is full, see `Run`)
    max_depth: int = 64
    max_size: int | None = None
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
    #: on a resource that is not contained: the `#…` values of its Reference.reference, canonical, uri and url
    #: elements (its contained resources' included), and the contained resources that refer to it with `#` (dom-3)
    local_references: set[str] = field(default_factory=set)
    referring_to_container: set[int] = field(default_factory=set)

    def local_reference(self, value: str, kind: str) -> None:
        """Note a `#…` value of a Reference (kind "reference") or of a canonical, uri or url element (dom-3)."""
        root = self.root
        root.local_references.add(value)
        if value == "#" and kind in ("reference", "canonical") and self.is_contained:
            root.referring_to_container.add(id(self.resource))

    @property
    def root(self) -> Frame:
        """The resource that contains this one (itself unless it is a contained resource): %rootResource."""
        frame = self
        while frame.is_contained and frame.container is not None:
            frame = frame.container
        return frame


@dataclass
class Run:
    """Issues collected during one validate() call.

    The listing holds at most `options.max_issues` issues, but an error is never lost to that cap: when the listing
    is full, a new error takes the place of the latest warning or information issue, and every issue is counted
    (`counts`) whether it is listed or not, so that the verdict always rests on all errors.
    """

    options: Options
    issues: list[Issue] = field(default_factory=list)
    #: how many issues of each severity were found, listed or not
    counts: dict[str, int] = field(default_factory=dict)
    #: how many issues were found (listed or not): a check that compares it before and after knows if it found any
    added: int = 0
    #: how many issues were reported, including duplicates and suppressed ones (a walk that reported none is clean)
    attempted: int = 0
    #: how many errors and fatal issues were reported, including duplicates and suppressed ones
    error_attempts: int = 0
    #: every issue reported while an element walk is being recorded (see `memo`), else None
    trail: list[Issue] | None = None
    #: positions in `issues` of the listed warnings and information issues (the ones an error may displace)
    _minor: list[int] = field(default_factory=list)
    _holes: int = 0
    _seen: set[tuple[str, str, str]] = field(default_factory=set)

    def add(
        self,
        severity: str,
        code: IssueType,
        message_id: MessageId,
        location: str,
        /,
        *,
        reported_id: str = "",
        **values: Any,
    ) -> None:
        """Report an issue: its text is `TEXTS[message_id]` formatted with `values`; it carries `reported_id` when
        given (a failed invariant's own id, a primitive type's id), else the id of `message_id` (see
        `Issue.of`)."""
        self.add_issue(Issue.of(severity, code, message_id, location, reported_id=reported_id, **values))

    def add_issue(self, issue: Issue) -> None:
        """Record an issue (a duplicate of one already found is dropped; see the class for the cap)."""
        self.attempted += 1
        if self.trail is not None:
            self.trail.append(issue)
        severity, location, message, message_id = issue.severity, issue.location, issue.message, issue.message_id
        if severity == "error" or severity == "fatal":
            self.error_attempts += 1
        key = (severity, location, message)
        if key in self._seen:
            return  # the same finding reached twice (a base and a profile walk): one issue
        self._seen.add(key)
        if self.options.suppress and suppressed(message_id, location, self.options.suppress):
            return
        self.added += 1
        self.counts[severity] = self.counts.get(severity, 0) + 1
        listed = len(self.issues) - self._holes
        is_error = severity in ("error", "fatal")
        if listed >= self.options.max_issues:
            if not is_error or not self._minor:
                return
            self.issues[self._minor.pop()] = None  # type: ignore[call-overload]  # a hole, dropped by `listed()`
            self._holes += 1
        if not is_error:
            self._minor.append(len(self.issues))
        self.issues.append(issue)

    def listed(self) -> list[Issue]:
        """The issues kept, in the order they were found."""
        return [issue for issue in self.issues if issue is not None] if self._holes else list(self.issues)

    @property
    def unlisted(self) -> dict[str, int]:
        """severity → how many issues of that severity were found but not kept (the listing was full)."""
        kept: dict[str, int] = {}
        for issue in self.issues:
            if issue is not None:
                kept[issue.severity] = kept.get(issue.severity, 0) + 1
        return {s: n - kept.get(s, 0) for s, n in self.counts.items() if n > kept.get(s, 0)}

    def report(self) -> list[Issue]:
        """The listed issues, and last, when some were not listed, an issue saying how many of each severity."""
        issues = self.listed()
        unlisted = self.unlisted
        if unlisted:
            counts = ", ".join(f"{n} {severity}" for severity, n in sorted(unlisted.items(), key=_severity_order))
            issues.append(
                Issue.of(
                    "information",
                    IssueType.TOO_COSTLY,
                    MessageId.VALIDATION_ISSUES_TRUNCATED,
                    "",
                    max_issues=self.options.max_issues,
                    counts=counts,
                    errors=self.error_count,
                )
            )
        return issues

    @property
    def error_count(self) -> int:
        """Errors and fatal issues found, listed or not."""
        return self.counts.get("error", 0) + self.counts.get("fatal", 0)

    def error(self, code: IssueType, message_id: MessageId, location: str, /, **values: Any) -> None:
        self.add("error", code, message_id, location, **values)

    def warning(self, code: IssueType, message_id: MessageId, location: str, /, **values: Any) -> None:
        self.add("warning", code, message_id, location, **values)

    def info(self, code: IssueType, message_id: MessageId, location: str, /, **values: Any) -> None:
        self.add("information", code, message_id, location, **values)


def suppressed(message_id: str, location: str, suppress: tuple[str, ...]) -> bool:
    """Whether an issue is dropped by `Options.suppress` (`message-id` or `message-id@location`)."""
    for rule in suppress:
        wanted, _, where = rule.partition("@")
        if wanted == message_id and (not where or where == location):
            return True
    return False


_ORDER = {"fatal": 0, "error": 1, "warning": 2, "information": 3}


def _severity_order(item: tuple[str, int]) -> int:
    return _ORDER.get(item[0], 4)
