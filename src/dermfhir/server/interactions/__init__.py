"""One module per FHIR RESTful interaction; each handler takes a Context and a FhirRequest and returns a
FhirResponse (errors are raised, and mapped to HTTP in `dermfhir.server.errors`)."""

from dermfhir.server.interactions import capabilities, create, delete, history, patch, read, search, update, vread

__all__ = ["capabilities", "create", "delete", "history", "patch", "read", "search", "update", "vread"]
