"""The `dermfhir` command line."""
