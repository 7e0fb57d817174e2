"""FHIR Bulk Data `$export` (system, Patient, Group/[id]): kick-off (`kickoff`), background jobs writing NDJSON
(`jobs`), status / download / delete URLs (`status`), and Groups of imported datasets (`groups`)."""

from dermfhir.server.bulk.groups import dataset_group
from dermfhir.server.bulk.jobs import Job, Jobs, Part
from dermfhir.server.bulk.kickoff import export

__all__ = ["Job", "Jobs", "Part", "dataset_group", "export"]
